package dev.nacosboot.loadbalancer;

import java.net.URI;
import java.util.HashMap;

import reactor.core.publisher.Mono;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultRequest;
import org.springframework.cloud.client.loadbalancer.RequestData;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.client.loadbalancer.reactive.ReactiveLoadBalancer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.util.LinkedMultiValueMap;

/**
 * Asks a balancer for an instance the way Spring Cloud's clients do: a request context
 * carrying the headers.
 */
final class Requests {

	private Requests() {
	}

	/**
	 * Chooses for a GET request with the given header name/value pairs; {@code null} when
	 * no instance.
	 */
	static ServiceInstance choose(ReactiveLoadBalancer<ServiceInstance> balancer, String... headerPairs) {
		HttpHeaders headers = new HttpHeaders();
		for (int i = 0; i < headerPairs.length; i += 2) {
			headers.add(headerPairs[i], headerPairs[i + 1]);
		}
		RequestData data = new RequestData(HttpMethod.GET, URI.create("http://orders/ping"), headers,
				new LinkedMultiValueMap<>(), new HashMap<>());
		Response<ServiceInstance> response = Mono
			.from(balancer.choose(new DefaultRequest<>(new RequestDataContext(data))))
			.block();
		return (response != null && response.hasServer()) ? response.getServer() : null;
	}

}
