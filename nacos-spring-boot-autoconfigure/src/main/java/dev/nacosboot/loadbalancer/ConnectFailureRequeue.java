package dev.nacosboot.loadbalancer;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.CompletionContext;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestData;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;

/**
 * Requeues a call whose connection could not be made on another instance of the same
 * service, for the {@code @LoadBalanced} clients (through
 * {@link RequeueClientHttpRequestInterceptor}, {@link RequeueExchangeFilterFunction} and
 * the OpenFeign client). A failed connect means no byte of the request left this
 * application, so this is safe for every HTTP method; a call that may have reached a
 * server (an answer, a reset, a read time-out) is never repeated here. Each call runs
 * rounds through Spring Cloud LoadBalancer: the balancer avoids the instances this call
 * failed to connect to and those ejected for refusing connections, the
 * {@link NacosLoadBalancerLifecycle} reports how each attempt ended, and a per-service
 * {@link RetryBudget} bounds the requeues. When no instance is left, the call fails with
 * a {@link NoReachableInstanceException} naming the service and every address tried.
 * <p>
 * The call in progress is found through the request's attributes (reactive clients) or
 * the calling thread (blocking clients, whose load-balancer request carries no
 * attributes).
 */
class ConnectFailureRequeue {

	/** Request attribute holding the {@link RequeueAttempt} of a reactive call. */
	static final String ATTEMPT_ATTRIBUTE = RequeueAttempt.class.getName();

	private static final Log logger = LogFactory.getLog(ConnectFailureRequeue.class);

	private final ThreadLocal<@Nullable RequeueAttempt> current = new ThreadLocal<>();

	private final Supplier<Settings> settings;

	private final LongSupplier clock;

	private final Map<String, RetryBudget> budgets = new ConcurrentHashMap<>();

	ConnectFailureRequeue(Supplier<Settings> settings, LongSupplier clock) {
		this.settings = settings;
		this.clock = clock;
	}

	boolean isEnabled() {
		return this.settings.get().enabled();
	}

	/**
	 * Starts a call: it counts towards the service's budget.
	 * @param serviceId the service called
	 * @return the call's attempt
	 */
	RequeueAttempt begin(String serviceId) {
		budget(serviceId).deposit();
		return new RequeueAttempt(serviceId);
	}

	/**
	 * Runs a blocking call, requeueing it while it fails to connect and may be requeued.
	 * @param <T> the result
	 * @param serviceId the service called
	 * @param call one pass through the load balancer and the HTTP client
	 * @return the result of the first pass that connected
	 * @throws IOException the failure of a pass that may have reached a server, or a
	 * {@link NoReachableInstanceException}
	 */
	<T> T execute(String serviceId, BlockingCall<T> call) throws IOException {
		if (!isEnabled()) {
			return call.call();
		}
		RequeueAttempt attempt = begin(serviceId);
		RequeueAttempt outer = this.current.get();
		this.current.set(attempt);
		try {
			while (true) {
				attempt.startRound();
				T result;
				try {
					result = call.call();
				}
				catch (IOException | RuntimeException ex) {
					Throwable failure = afterFailure(attempt, ex);
					if (failure == null) {
						continue;
					}
					if (failure instanceof IOException io) {
						throw io;
					}
					throw (RuntimeException) failure;
				}
				String exhausted = attempt.exhaustedReason();
				if (exhausted != null) {
					// The client answered "no instance" (OpenFeign does, with a 503).
					closeQuietly(result);
					throw unreachable(attempt, exhausted, attempt.lastFailure());
				}
				return result;
			}
		}
		finally {
			if (outer != null) {
				this.current.set(outer);
			}
			else {
				this.current.remove();
			}
		}
	}

	/**
	 * Decides after a failed round.
	 * @param attempt the call
	 * @param failure the round's failure
	 * @return {@code null} to requeue, otherwise the failure to report
	 */
	@Nullable Throwable afterFailure(RequeueAttempt attempt, Throwable failure) {
		String exhausted = attempt.exhaustedReason();
		if (exhausted != null) {
			return unreachable(attempt, exhausted, attempt.lastFailure());
		}
		ServiceInstance instance = attempt.lastChosen();
		if (instance == null || attempt.hasReachedServer() || !ConnectFailures.isConnectFailure(failure)) {
			return failure;
		}
		attempt.failedToConnect(instance, failure);
		if (!budget(attempt.serviceId()).tryWithdraw()) {
			RetryBudget.Settings budget = this.settings.get().budget();
			return unreachable(attempt,
					"the requeue budget of " + attempt.serviceId() + " is spent (" + budget.percent()
							+ "% of the calls of the last " + budget.window().toSeconds() + " s + "
							+ budget.minPerSecond() + " per second)",
					failure);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Requeueing a call to " + attempt.serviceId() + " after failing to connect to "
					+ attempt.describeTried());
		}
		return null;
	}

	NoReachableInstanceException unreachable(RequeueAttempt attempt, String why, @Nullable Throwable lastFailure) {
		String message = "No instance of " + attempt.serviceId() + " accepted a connection: tried "
				+ attempt.describeTried() + "; " + why;
		return new NoReachableInstanceException(attempt.serviceId(), attempt.triedAddresses(), message,
				(lastFailure != null) ? lastFailure : new IOException(why));
	}

	/**
	 * The call a load-balancer request belongs to, if it is a requeueing call to this
	 * service.
	 * @param request the load-balancer request
	 * @param serviceId the balancer's service
	 * @return the call, {@code null} when it is not one
	 */
	@Nullable RequeueAttempt attemptOf(Request<?> request, String serviceId) {
		RequeueAttempt attempt = attemptOf(request);
		return (attempt != null && attempt.serviceId().equals(serviceId)) ? attempt : null;
	}

	private @Nullable RequeueAttempt attemptOf(@Nullable Request<?> request) {
		if (request != null && request.getContext() instanceof RequestDataContext context) {
			RequestData data = context.getClientRequest();
			if (data != null && data.getAttributes() != null
					&& data.getAttributes().get(ATTEMPT_ATTRIBUTE) instanceof RequeueAttempt attempt) {
				return attempt;
			}
		}
		return this.current.get();
	}

	/**
	 * Records how an attempt ended (from the load-balancer lifecycle, which every client
	 * calls): a failed connect marks the instance, anything else marks the call as one
	 * that may have reached a server.
	 * @param context the completion
	 */
	void completed(CompletionContext<?, ServiceInstance, ?> context) {
		if (context.status() == CompletionContext.Status.DISCARD || context.getLoadBalancerResponse() == null) {
			return;
		}
		ServiceInstance instance = context.getLoadBalancerResponse().getServer();
		RequeueAttempt attempt = attemptOf(context.getLoadBalancerRequest());
		if (instance == null || attempt == null || !attempt.choseInThisRound(instance)) {
			return;
		}
		Throwable failure = context.getThrowable();
		if (context.status() == CompletionContext.Status.FAILED && ConnectFailures.isConnectFailure(failure)) {
			attempt.failedToConnect(instance, failure);
		}
		else {
			attempt.reachedServer();
		}
	}

	private RetryBudget budget(String serviceId) {
		RetryBudget.Settings wanted = this.settings.get().budget();
		RetryBudget budget = this.budgets.get(serviceId);
		if (budget == null || !budget.settings().equals(wanted)) {
			budget = this.budgets.compute(serviceId,
					(id, existing) -> (existing != null && existing.settings().equals(wanted)) ? existing
							: new RetryBudget(wanted, this.clock));
		}
		return budget;
	}

	/**
	 * Requeues the service's budget has left now.
	 * @param serviceId the service
	 * @return whole requeues
	 */
	long budgetAvailable(String serviceId) {
		return budget(serviceId).available();
	}

	private static void closeQuietly(@Nullable Object result) {
		if (result instanceof Closeable closeable) {
			try {
				closeable.close();
			}
			catch (IOException ex) {
				// Nothing was read from it.
			}
		}
	}

	/**
	 * One pass of a blocking call.
	 *
	 * @param <T> its result
	 */
	@FunctionalInterface
	interface BlockingCall<T> {

		T call() throws IOException;

	}

	/**
	 * Whether calls are requeued, and their budget.
	 *
	 * @param enabled whether connect failures are requeued
	 * @param budget the per-service budget
	 */
	record Settings(boolean enabled, RetryBudget.Settings budget) {

	}

}
