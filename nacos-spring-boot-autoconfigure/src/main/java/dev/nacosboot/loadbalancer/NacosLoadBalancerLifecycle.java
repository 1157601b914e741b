package dev.nacosboot.loadbalancer;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.CompletionContext;
import org.springframework.cloud.client.loadbalancer.LoadBalancerLifecycle;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.client.loadbalancer.ResponseData;
import org.springframework.http.HttpStatusCode;

/**
 * Feeds {@link InstanceStatsRegistry} from Spring Cloud LoadBalancer's lifecycle
 * callbacks, which every client calls ({@code RestTemplate}, {@code RestClient},
 * {@code WebClient}, the gateway; each retry attempt is a call of its own): calls in
 * flight, latency, and failures - a failed connect always (it ejects the instance at
 * once), 5xx responses when configured; and tells a requeueing call how each attempt
 * ended.
 */
public class NacosLoadBalancerLifecycle implements LoadBalancerLifecycle<Object, Object, ServiceInstance> {

	private final InstanceStatsRegistry registry;

	private final @Nullable ConnectFailureRequeue requeue;

	/**
	 * Creates the lifecycle that feeds a registry.
	 * @param registry the statistics to feed
	 */
	public NacosLoadBalancerLifecycle(InstanceStatsRegistry registry) {
		this(registry, null);
	}

	NacosLoadBalancerLifecycle(InstanceStatsRegistry registry, @Nullable ConnectFailureRequeue requeue) {
		this.registry = registry;
		this.requeue = requeue;
	}

	@Override
	@SuppressWarnings("rawtypes")
	public boolean supports(Class requestContextClass, Class responseClass, Class serverTypeClass) {
		return ServiceInstance.class.isAssignableFrom(serverTypeClass);
	}

	@Override
	public void onStart(Request<Object> request) {
	}

	@Override
	public void onStartRequest(Request<Object> request, Response<ServiceInstance> lbResponse) {
		ServiceInstance instance = lbResponse.getServer();
		if (instance == null) {
			return;
		}
		this.registry.statsOf(instance).callStarted(this.registry.now());
	}

	@Override
	public void onComplete(CompletionContext<Object, ServiceInstance, Object> context) {
		if (this.requeue != null) {
			this.requeue.completed(context);
		}
		Response<ServiceInstance> lbResponse = context.getLoadBalancerResponse();
		ServiceInstance instance = (lbResponse != null) ? lbResponse.getServer() : null;
		if (instance == null || context.status() == CompletionContext.Status.DISCARD) {
			return;
		}
		this.registry.statsOf(instance).callEnded(this.registry.now());
		if (context.status() == CompletionContext.Status.FAILED
				&& ConnectFailures.isConnectFailure(context.getThrowable())) {
			this.registry.connectFailed(instance);
		}
		else if (is5xxFailure(context)) {
			this.registry.failed(instance);
		}
		else if (context.status() == CompletionContext.Status.SUCCESS) {
			this.registry.succeeded(instance);
		}
	}

	private boolean is5xxFailure(CompletionContext<Object, ServiceInstance, Object> context) {
		if (!this.registry.settings().failOn5xx()) {
			return false;
		}
		HttpStatusCode status = (context.getClientResponse() instanceof ResponseData data) ? data.getHttpStatus()
				: null;
		return status != null && status.is5xxServerError();
	}

}
