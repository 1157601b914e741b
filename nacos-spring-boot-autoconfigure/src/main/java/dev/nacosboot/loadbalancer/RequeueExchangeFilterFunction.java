package dev.nacosboot.loadbalancer;

import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/**
 * Requeues a {@code @LoadBalanced} {@code WebClient} call that failed to connect. It sits
 * before Spring Cloud's load-balancer filter, so that each pass chooses an instance
 * again; the call's {@link RequeueAttempt} travels as a request attribute, which the
 * load-balancer request carries to the balancer and the lifecycle.
 */
class RequeueExchangeFilterFunction implements ExchangeFilterFunction {

	private final ConnectFailureRequeue requeue;

	RequeueExchangeFilterFunction(ConnectFailureRequeue requeue) {
		this.requeue = requeue;
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		String serviceId = request.url().getHost();
		if (serviceId == null || !this.requeue.isEnabled()) {
			return next.exchange(request);
		}
		return Mono.defer(() -> {
			RequeueAttempt attempt = this.requeue.begin(serviceId);
			ClientRequest tagged = ClientRequest.from(request)
				.attribute(ConnectFailureRequeue.ATTEMPT_ATTRIBUTE, attempt)
				.build();
			return round(tagged, next, attempt);
		});
	}

	private Mono<ClientResponse> round(ClientRequest request, ExchangeFunction next, RequeueAttempt attempt) {
		return Mono.defer(() -> {
			attempt.startRound();
			return next.exchange(request);
		}).onErrorResume((ex) -> {
			Throwable failure = this.requeue.afterFailure(attempt, ex);
			if (failure == null) {
				return round(request, next, attempt);
			}
			return Mono.error((failure == ex) ? ex : failure(request, failure));
		}).flatMap((response) -> {
			String exhausted = attempt.exhaustedReason();
			if (exhausted == null) {
				return Mono.just(response);
			}
			// Spring Cloud's filter answers "no instance" with a 503 of its own.
			return response.releaseBody()
				.then(Mono
					.error(failure(request, this.requeue.unreachable(attempt, exhausted, attempt.lastFailure()))));
		});
	}

	private static Throwable failure(ClientRequest request, Throwable failure) {
		return new WebClientRequestException(failure, request.method(), request.url(), request.headers());
	}

}
