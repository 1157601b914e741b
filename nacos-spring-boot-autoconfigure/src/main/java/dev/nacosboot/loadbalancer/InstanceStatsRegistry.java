package dev.nacosboot.loadbalancer;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.springframework.cloud.client.ServiceInstance;

/**
 * The {@link InstanceStats} of every instance this application calls, by service and address, shared by every
 * load-balancer client of the context. Each service has a generation that moves whenever a health factor changed,
 * so that its balancer rebuilds the routing table then, and only then.
 */
public class InstanceStatsRegistry {

	private final OutlierSettings settings;

	private final LongSupplier clock;

	private final Map<String, ServiceStats> services = new ConcurrentHashMap<>();

	InstanceStatsRegistry(OutlierSettings settings, LongSupplier clock) {
		this.settings = settings;
		this.clock = clock;
	}

	/**
	 * Creates the registry of a context.
	 * @param properties the load-balancer settings
	 */
	public InstanceStatsRegistry(NacosLoadBalancerProperties properties) {
		this(OutlierSettings.of(properties), System::nanoTime);
	}

	OutlierSettings settings() {
		return this.settings;
	}

	long now() {
		return this.clock.getAsLong();
	}

	InstanceStats statsOf(ServiceInstance instance) {
		return service(instance.getServiceId()).stats(keyOf(instance));
	}

	long generation(String serviceId) {
		return service(serviceId).generation.get();
	}

	/**
	 * Records a failed call; moves the service's generation when the instance's health changed.
	 * @param instance the instance called
	 */
	void failed(ServiceInstance instance) {
		ServiceStats service = service(instance.getServiceId());
		if (this.settings.enabled() && service.stats(keyOf(instance)).failed(now())) {
			service.generation.incrementAndGet();
		}
	}

	void succeeded(ServiceInstance instance) {
		statsOf(instance).succeeded(now());
	}

	/**
	 * Forgets the instances of a service that are no longer in its list.
	 * @param serviceId the service
	 * @param instances its current instances
	 */
	void retain(String serviceId, List<ServiceInstance> instances) {
		Set<String> keys = new java.util.HashSet<>();
		for (ServiceInstance instance : instances) {
			keys.add(keyOf(instance));
		}
		service(serviceId).instances.keySet().retainAll(keys);
	}

	private ServiceStats service(String serviceId) {
		return this.services.computeIfAbsent(serviceId, (id) -> new ServiceStats(this.settings));
	}

	static String keyOf(ServiceInstance instance) {
		return instance.getHost() + ":" + instance.getPort();
	}

	private static final class ServiceStats {

		private final OutlierSettings settings;

		private final Map<String, InstanceStats> instances = new ConcurrentHashMap<>();

		private final AtomicLong generation = new AtomicLong();

		ServiceStats(OutlierSettings settings) {
			this.settings = settings;
		}

		InstanceStats stats(String key) {
			return this.instances.computeIfAbsent(key, (k) -> new InstanceStats(this.settings));
		}

	}

}
