package dev.nacosboot.loadbalancer;

import java.io.IOException;

import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Requeues a {@code @LoadBalanced} {@code RestTemplate} or {@code RestClient} call that
 * failed to connect. It sits before Spring Cloud's load-balancer interceptor, so that
 * each pass chooses an instance again (an interceptor chain may run more than once).
 */
class RequeueClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {

	private final ConnectFailureRequeue requeue;

	RequeueClientHttpRequestInterceptor(ConnectFailureRequeue requeue) {
		this.requeue = requeue;
	}

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		String serviceId = request.getURI().getHost();
		if (serviceId == null) {
			return execution.execute(request, body);
		}
		return this.requeue.execute(serviceId, () -> execution.execute(request, body));
	}

}
