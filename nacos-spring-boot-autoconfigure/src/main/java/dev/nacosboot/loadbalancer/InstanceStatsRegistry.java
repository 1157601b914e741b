package dev.nacosboot.loadbalancer;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;

/**
 * The {@link InstanceStats} of every instance this application calls, by service and
 * address, shared by every load-balancer client of the context. A generation moves
 * whenever a health factor changed (or the settings did), so that the balancers rebuild
 * their routing tables then, and only then. It is one for all services: the lifecycle
 * callbacks see an instance's own service id (for Nacos {@code group@@service}), not the
 * client name, and a failure changes health a bounded number of times (up to the
 * ejection), so an extra rebuild elsewhere is cheap.
 * <p>
 * An instance that failed to connect is ejected at once and probed with a TCP connect
 * until one succeeds (or it is forgotten, gone from the service for longer than the
 * longest ejection); the probe, not a user's request, brings it back.
 */
public class InstanceStatsRegistry {

	private static final Log logger = LogFactory.getLog(InstanceStatsRegistry.class);

	private final Supplier<OutlierSettings> settings;

	private final LongSupplier clock;

	private final Map<String, ServiceStats> services = new ConcurrentHashMap<>();

	private final AtomicLong generation = new AtomicLong();

	private final List<Consumer<ServiceInstance>> ejectionListeners = new CopyOnWriteArrayList<>();

	private volatile @Nullable OutlierSettings lastSettings;

	private volatile @Nullable ConnectProbe probe;

	InstanceStatsRegistry(OutlierSettings settings, LongSupplier clock) {
		this(() -> settings, clock);
	}

	InstanceStatsRegistry(Supplier<OutlierSettings> settings, LongSupplier clock) {
		this.settings = settings;
		this.clock = clock;
		this.lastSettings = settings.get();
	}

	/**
	 * Creates the registry of a context with fixed settings.
	 * @param properties the load-balancer settings
	 */
	public InstanceStatsRegistry(NacosLoadBalancerProperties properties) {
		this(OutlierSettings.of(properties), System::nanoTime);
	}

	/**
	 * Probes instances that failed to connect with this probe from now on.
	 * @param probe the probe
	 */
	void probeWith(ConnectProbe probe) {
		this.probe = probe;
	}

	OutlierSettings settings() {
		return this.settings.get();
	}

	long now() {
		return this.clock.getAsLong();
	}

	InstanceStats statsOf(ServiceInstance instance) {
		return service(instance.getServiceId()).stats(keyOf(instance), now());
	}

	/**
	 * The statistics of an instance if it has any, without recording a use.
	 * @param instance the instance
	 * @return its statistics, {@code null} when none were kept
	 */
	@Nullable InstanceStats peek(ServiceInstance instance) {
		ServiceStats service = this.services.get(instance.getServiceId());
		return (service != null) ? service.instances.get(keyOf(instance)) : null;
	}

	/**
	 * Whether the instance is out for failing to connect.
	 * @param instance the instance
	 * @return whether a probe must bring it back first
	 */
	boolean isConnectEjected(ServiceInstance instance) {
		InstanceStats stats = peek(instance);
		return stats != null && stats.isConnectEjected();
	}

	long generation() {
		OutlierSettings current = this.settings.get();
		if (current != this.lastSettings) {
			// Live settings changed: every table is rebuilt under them.
			this.lastSettings = current;
			this.generation.incrementAndGet();
		}
		return this.generation.get();
	}

	/**
	 * Records a call that failed after reaching the instance (a 5xx, when those count);
	 * moves the generation when the instance's health changed.
	 * @param instance the instance called
	 */
	void failed(ServiceInstance instance) {
		InstanceStats stats = statsOf(instance);
		long now = now();
		if (settings().enabled() && stats.failed(now)) {
			this.generation.incrementAndGet();
			if (stats.isEjectedAt(now)) {
				this.ejectionListeners.forEach((listener) -> listener.accept(instance));
			}
		}
	}

	/**
	 * Records a failed connect: the instance is out at once and probed until it accepts a
	 * connection again.
	 * @param instance the instance called
	 */
	void connectFailed(ServiceInstance instance) {
		InstanceStats stats = statsOf(instance);
		if (!settings().enabled() || !stats.connectFailed(now())) {
			return;
		}
		this.generation.incrementAndGet();
		if (logger.isInfoEnabled()) {
			logger.info("Ejected " + RequeueAttempt.address(instance) + " of " + instance.getServiceId()
					+ ": it refused a connection or could not be reached; probing it until it accepts one");
		}
		this.ejectionListeners.forEach((listener) -> listener.accept(instance));
		ConnectProbe probe = this.probe;
		if (probe != null) {
			probe.start(instance, () -> stats.isConnectEjected() && isTracked(instance, stats),
					() -> connected(instance, stats));
		}
	}

	private void connected(ServiceInstance instance, InstanceStats stats) {
		if (stats.connected(now())) {
			this.generation.incrementAndGet();
			if (logger.isInfoEnabled()) {
				logger.info("Readmitted " + RequeueAttempt.address(instance) + " of " + instance.getServiceId()
						+ ": it accepts connections again");
			}
		}
	}

	private boolean isTracked(ServiceInstance instance, InstanceStats stats) {
		return peek(instance) == stats;
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
		if (statsOf(instance).succeeded(now())) {
			this.generation.incrementAndGet();
		}
	}

	/**
	 * Forgets instances of the listed services that are gone from the list and idle. Not
	 * merely gone: a retry's list may leave out the instance that just failed (Spring
	 * Cloud's retry-aware supplier does), and its failures must count.
	 * @param instances current instances
	 */
	void retain(List<ServiceInstance> instances) {
		Map<String, Set<String>> keys = new HashMap<>();
		for (ServiceInstance instance : instances) {
			keys.computeIfAbsent(instance.getServiceId(), (id) -> new HashSet<>()).add(keyOf(instance));
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

	/**
	 * Watches an instance that failed to connect until it accepts a connection again.
	 */
	@FunctionalInterface
	interface ConnectProbe {

		/**
		 * Starts probing.
		 * @param instance the instance
		 * @param stillOut whether to go on probing
		 * @param connected called once a connect succeeded
		 */
		void start(ServiceInstance instance, java.util.function.BooleanSupplier stillOut, Runnable connected);

	}

	private static final class ServiceStats {

		private final Supplier<OutlierSettings> settings;

		private final Map<String, InstanceStats> instances = new ConcurrentHashMap<>();

		ServiceStats(Supplier<OutlierSettings> settings) {
			this.settings = settings;
		}

		InstanceStats stats(String key, long now) {
			InstanceStats stats = this.instances.computeIfAbsent(key, (k) -> new InstanceStats(this.settings, now));
			stats.used(now);
			return stats;
		}

	}

}
