package dev.nacosboot.actuate;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.CompletionContext;
import org.springframework.cloud.client.loadbalancer.LoadBalancerLifecycle;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;

/**
 * Load-balancer meters, fed by Spring Cloud LoadBalancer's lifecycle callbacks (every
 * client type) and by the outlier ejection:
 * <ul>
 * <li>{@code nacos.loadbalancer.choose} (counter, tags {@code service}, {@code version},
 * {@code outcome}): completed calls by the version of the chosen instance ({@code none}
 * when it has no {@code version} metadata) and outcome ({@code success}, {@code failed},
 * {@code no-instance}, {@code discarded})</li>
 * <li>{@code nacos.loadbalancer.ejections} (counter, tag {@code service}): instances
 * ejected after consecutive failures</li>
 * </ul>
 * Tags are bounded by the services called and the versions deployed; no per-request
 * values.
 */
class NacosLoadBalancerMetrics implements MeterBinder, LoadBalancerLifecycle<Object, Object, ServiceInstance> {

	static final String CHOOSE = "nacos.loadbalancer.choose";

	static final String EJECTIONS = "nacos.loadbalancer.ejections";

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registries.add(registry);
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
	}

	@Override
	public void onComplete(CompletionContext<Object, ServiceInstance, Object> context) {
		Response<ServiceInstance> lbResponse = context.getLoadBalancerResponse();
		ServiceInstance instance = (lbResponse != null) ? lbResponse.getServer() : null;
		if (instance == null) {
			String service = serviceOf(context);
			if (service != null) {
				count(service, "none", "no-instance");
			}
			return;
		}
		String version = instance.getMetadata().getOrDefault("version", "none");
		count(instance.getServiceId(), version, outcome(context.status()));
	}

	/**
	 * Counts one ejection.
	 * @param instance the ejected instance
	 */
	public void ejected(ServiceInstance instance) {
		for (MeterRegistry registry : this.registries) {
			Counter.builder(EJECTIONS)
				.description("Instances ejected after consecutive failures")
				.tag("service", instance.getServiceId())
				.register(registry)
				.increment();
		}
	}

	private void count(String service, String version, String outcome) {
		for (MeterRegistry registry : this.registries) {
			Counter.builder(CHOOSE)
				.description("Calls through the load balancer by chosen version and outcome")
				.tag("service", service)
				.tag("version", version)
				.tag("outcome", outcome)
				.register(registry)
				.increment();
		}
	}

	private static String outcome(CompletionContext.Status status) {
		return switch (status) {
			case SUCCESS -> "success";
			case FAILED -> "failed";
			case DISCARD -> "discarded";
		};
	}

	private static @Nullable String serviceOf(CompletionContext<Object, ServiceInstance, Object> context) {
		Object request = (context.getLoadBalancerRequest() != null) ? context.getLoadBalancerRequest().getContext()
				: null;
		if (request instanceof RequestDataContext data && data.getClientRequest() != null
				&& data.getClientRequest().getUrl() != null) {
			return data.getClientRequest().getUrl().getHost();
		}
		return null;
	}

}
