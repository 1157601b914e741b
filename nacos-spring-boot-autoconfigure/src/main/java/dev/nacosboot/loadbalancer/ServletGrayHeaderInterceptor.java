package dev.nacosboot.loadbalancer;

import java.io.IOException;

import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Copies the gray headers of the servlet request being handled on this thread to an
 * outgoing {@code @LoadBalanced} {@code RestTemplate} or {@code RestClient} call. It runs
 * before the load-balancer interceptor, so the balancer routes by them and the next
 * service receives them too.
 */
class ServletGrayHeaderInterceptor implements ClientHttpRequestInterceptor {

	private final GrayHeaderPropagation propagation;

	ServletGrayHeaderInterceptor(GrayHeaderPropagation propagation) {
		this.propagation = propagation;
	}

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		GrayHeaderPropagation.addMissing(this.propagation.fromCurrentServletRequest(), request.getHeaders());
		return execution.execute(request, body);
	}

}
