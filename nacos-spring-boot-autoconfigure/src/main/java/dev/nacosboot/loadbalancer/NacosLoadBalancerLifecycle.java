package dev.nacosboot.loadbalancer;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.http.HttpConnectTimeoutException;

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
 * flight, latency, and failures - connect errors always, 5xx responses when configured.
 */
public class NacosLoadBalancerLifecycle implements LoadBalancerLifecycle<Object, Object, ServiceInstance> {

	private final InstanceStatsRegistry registry;

	/**
	 * Creates the lifecycle that feeds a registry.
	 * @param registry the statistics to feed
	 */
	public NacosLoadBalancerLifecycle(InstanceStatsRegistry registry) {
		this.registry = registry;
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
		Response<ServiceInstance> lbResponse = context.getLoadBalancerResponse();
		ServiceInstance instance = (lbResponse != null) ? lbResponse.getServer() : null;
		if (instance == null || context.status() == CompletionContext.Status.DISCARD) {
			return;
		}
		this.registry.statsOf(instance).callEnded(this.registry.now());
		if (isFailure(context)) {
			this.registry.failed(instance);
		}
		else if (context.status() == CompletionContext.Status.SUCCESS) {
			this.registry.succeeded(instance);
		}
	}

	private boolean isFailure(CompletionContext<Object, ServiceInstance, Object> context) {
		if (context.status() == CompletionContext.Status.FAILED && isConnectError(context.getThrowable())) {
			return true;
		}
		if (this.registry.settings().failOn5xx()) {
			HttpStatusCode status = (context.getClientResponse() instanceof ResponseData data) ? data.getHttpStatus()
					: null;
			return status != null && status.is5xxServerError();
		}
		return false;
	}

	static boolean isConnectError(@Nullable Throwable throwable) {
		for (Throwable cause = throwable; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
					|| cause instanceof HttpConnectTimeoutException) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

}
