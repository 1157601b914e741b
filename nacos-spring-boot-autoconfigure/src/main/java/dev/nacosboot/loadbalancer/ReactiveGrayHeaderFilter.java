package dev.nacosboot.loadbalancer;

import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Gray-header propagation for reactive code: as a {@link WebFilter} it puts the gray
 * headers of an incoming request into the Reactor context of its handling; as an
 * {@link ExchangeFilterFunction} of a {@code @LoadBalanced} {@code WebClient} it adds
 * them to the outgoing call (from the Reactor context, or from the servlet request of the
 * calling thread when a servlet application uses WebClient), before the load-balancer
 * filter.
 */
class ReactiveGrayHeaderFilter implements ExchangeFilterFunction, WebFilter {

	static final String CONTEXT_KEY = ReactiveGrayHeaderFilter.class.getName() + ".headers";

	private final GrayHeaderPropagation propagation;

	ReactiveGrayHeaderFilter(GrayHeaderPropagation propagation) {
		this.propagation = propagation;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		Map<String, String> values = this.propagation.captured(exchange.getRequest().getHeaders());
		return values.isEmpty() ? chain.filter(exchange)
				: chain.filter(exchange).contextWrite((context) -> context.put(CONTEXT_KEY, values));
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		Map<String, String> servlet = this.propagation.fromCurrentServletRequest();
		return Mono.deferContextual((context) -> {
			Map<String, String> values = context.getOrDefault(CONTEXT_KEY, servlet);
			if (values == null || values.isEmpty()) {
				return next.exchange(request);
			}
			ClientRequest.Builder builder = ClientRequest.from(request);
			builder.headers((headers) -> GrayHeaderPropagation.addMissing(values, headers));
			return next.exchange(builder.build());
		});
	}

}
