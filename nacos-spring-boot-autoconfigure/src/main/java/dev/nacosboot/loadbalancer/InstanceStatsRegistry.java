package dev.nacosboot.loadbalancer;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.springframework.cloud.client.ServiceInstance;

/**
 * The {@link InstanceStats} of every instance this application calls, by service and
 * address, shared by every load-balancer client of the context. A generation moves
 * whenever a health factor changed, so that the balancers rebuild their routing tables
 * then, and only then. It is one for all services: the lifecycle callbacks see an
 * instance's own service id (for Nacos {@code group@@service}), not the client name, and
 * a failure changes health a bounded number of times (up to the ejection), so an extra
 * rebuild elsewhere is cheap.
 */
public class InstanceStatsRegistry {

	private final OutlierSettings settings;

	private final LongSupplier clock;

	private final Map<String, ServiceStats> services = new ConcurrentHashMap<>();

	private final AtomicLong generation = new AtomicLong();

	private final List<Consumer<ServiceInstance>> ejectionListeners = new CopyOnWriteArrayList<>();

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
		return service(instance.getServiceId()).stats(keyOf(instance), now());
	}

	long generation() {
		return this.generation.get();
	}

	/**
	 * Records a failed call; moves the service's generation when the instance's health
	 * changed.
	 * @param instance the instance called
	 */
	void failed(ServiceInstance instance) {
		ServiceStats service = service(instance.getServiceId());
		InstanceStats stats = service.stats(keyOf(instance), now());
		long now = now();
		if (this.settings.enabled() && stats.failed(now)) {
			this.generation.incrementAndGet();
			if (stats.isEjectedAt(now)) {
				this.ejectionListeners.forEach((listener) -> listener.accept(instance));
			}
		}
	}

	/**
	 * Calls the listener each time an instance is ejected (for metrics); it runs on the
	 * calling thread of the failed request and must be quick.
	 * @param listener receives the ejected instance
	 */
	public void onEjection(Consumer<ServiceInstance> listener) {
		this.ejectionListeners.add(listener);
	}

	void succeeded(ServiceInstance instance) {
		statsOf(instance).succeeded(now());
	}

	/**
	 * Forgets instances of the listed services that are gone from the list and idle. Not
	 * merely gone: a retry's list may leave out the instance that just failed (Spring
	 * Cloud's retry-aware supplier does), and its failures must count.
	 * @param instances current instances
	 */
	void retain(List<ServiceInstance> instances) {
		Map<String, Set<String>> keys = new java.util.HashMap<>();
		for (ServiceInstance instance : instances) {
			keys.computeIfAbsent(instance.getServiceId(), (id) -> new java.util.HashSet<>()).add(keyOf(instance));
		}
		long now = now();
		keys.forEach((serviceId, retained) -> service(serviceId).instances.entrySet()
			.removeIf((entry) -> !retained.contains(entry.getKey()) && entry.getValue().isIdle(now)));
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

		ServiceStats(OutlierSettings settings) {
			this.settings = settings;
		}

		InstanceStats stats(String key, long now) {
			InstanceStats stats = this.instances.computeIfAbsent(key, (k) -> new InstanceStats(this.settings, now));
			stats.used(now);
			return stats;
		}

	}

}
