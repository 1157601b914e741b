package dev.nacosboot.actuate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.nacosboot.config.NacosConfigRefreshHistory;
import dev.nacosboot.registry.NacosAutoServiceRegistration;
import dev.nacosboot.registry.NacosRegistration;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters of the Nacos clients. Tags are bounded: data ids, groups and services
 * this application imports or subscribes to, and fixed outcome and concern names; never
 * per-request values.
 * <ul>
 * <li>{@code nacos.connection} (gauge, tag {@code concern}): 1 while the client is
 * connected, else 0</li>
 * <li>{@code nacos.registration.state} (gauge): 1 registered and routable, 0 registered
 * but out of traffic, -1 not registered</li>
 * <li>{@code nacos.discovery.instances} (gauge, tags {@code service}, {@code group}):
 * instances of a subscribed service in the last push</li>
 * <li>{@code nacos.discovery.push} (counter, tags {@code service}, {@code group}):
 * instance-list pushes received</li>
 * <li>{@code nacos.config.refresh} (timer, tags {@code data-id}, {@code group},
 * {@code outcome}): handling of a config change (parse, validate, apply)</li>
 * <li>{@code nacos.config.refresh.errors} (counter, tags {@code data-id}, {@code group},
 * {@code outcome}): refused changes</li>
 * </ul>
 * Config refreshes are recorded as the {@link NacosConfigRefreshHistory} records them,
 * each one, however many come between two scrapes.
 */
public class NacosMetrics implements MeterBinder, NacosStateSampler {

	private final @Nullable NacosConnectionMonitor discoveryConnection;

	private final @Nullable NacosConnectionMonitor configConnection;

	private final @Nullable NacosRegistration registration;

	private final @Nullable NacosAutoServiceRegistration autoRegistration;

	private final @Nullable NacosSubscriptions subscriptions;

	private final @Nullable NacosConfigRefreshHistory history;

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	private final Set<String> servicesWithMeters = ConcurrentHashMap.newKeySet();

	private final Map<String, NacosSubscriptions.Subscription> latest = new ConcurrentHashMap<>();

	/**
	 * Creates the binder; every source is optional.
	 * @param discoveryConnection the naming client's connection
	 * @param configConnection the config clients' connection
	 * @param registration this application's instance
	 * @param autoRegistration its registration lifecycle
	 * @param subscriptions the subscribed services
	 * @param history the config refreshes
	 */
	public NacosMetrics(@Nullable NacosConnectionMonitor discoveryConnection,
			@Nullable NacosConnectionMonitor configConnection, @Nullable NacosRegistration registration,
			@Nullable NacosAutoServiceRegistration autoRegistration, @Nullable NacosSubscriptions subscriptions,
			@Nullable NacosConfigRefreshHistory history) {
		this.discoveryConnection = discoveryConnection;
		this.configConnection = configConnection;
		this.registration = registration;
		this.autoRegistration = autoRegistration;
		this.subscriptions = subscriptions;
		this.history = history;
		if (history != null) {
			history.onRecord(this::record);
		}
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registries.add(registry);
		if (this.history != null) {
			// What happened before this registry was bound, oldest first.
			List<NacosConfigRefreshHistory.Refresh> newestFirst = this.history.refreshes();
			for (int i = newestFirst.size() - 1; i >= 0; i--) {
				record(newestFirst.get(i), registry);
			}
		}
		if (this.discoveryConnection != null) {
			connectionGauge(registry, "discovery", this.discoveryConnection);
		}
		if (this.configConnection != null) {
			connectionGauge(registry, "config", this.configConnection);
		}
		if (this.registration != null) {
			Gauge.builder("nacos.registration.state", this, NacosMetrics::registrationState)
				.description("1 registered and routable, 0 registered but out of traffic, -1 not registered")
				.register(registry);
		}
		sample();
	}

	private static void connectionGauge(MeterRegistry registry, String concern, NacosConnectionMonitor monitor) {
		Gauge
			.builder("nacos.connection", monitor,
					(m) -> (m.state().state() == NacosConnectionMonitor.State.CONNECTED) ? 1 : 0)
			.description("Whether the Nacos client is connected (1) or not (0)")
			.tag("concern", concern)
			.register(registry);
	}

	private double registrationState() {
		NacosRegistration registration = this.registration;
		if (registration == null || this.autoRegistration == null || !this.autoRegistration.isRegistered()) {
			return -1;
		}
		return registration.isRoutable() ? 1 : 0;
	}

	@Override
	public synchronized void sample() {
		if (this.registries.isEmpty()) {
			return;
		}
		sampleSubscriptions();
	}

	private void sampleSubscriptions() {
		if (this.subscriptions == null) {
			return;
		}
		for (NacosSubscriptions.Subscription subscription : this.subscriptions.all()) {
			String key = subscription.group() + "@@" + subscription.service();
			this.latest.put(key, subscription);
			if (this.servicesWithMeters.add(key)) {
				for (MeterRegistry registry : this.registries) {
					Gauge.builder("nacos.discovery.instances", this, (self) -> self.instancesOf(key))
						.description("Instances of a subscribed service in the last push")
						.tag("service", subscription.service())
						.tag("group", subscription.group())
						.register(registry);
					FunctionCounter.builder("nacos.discovery.push", this, (self) -> self.pushesOf(key))
						.description("Instance-list pushes received for a subscribed service")
						.tag("service", subscription.service())
						.tag("group", subscription.group())
						.register(registry);
				}
			}
		}
	}

	private double instancesOf(String key) {
		NacosSubscriptions.Subscription subscription = current(key);
		return (subscription != null) ? subscription.instances() : 0;
	}

	private double pushesOf(String key) {
		NacosSubscriptions.Subscription subscription = current(key);
		return (subscription != null) ? subscription.pushes() : 0;
	}

	// Reads through to the live values, so a scrape between two samples is current.
	private NacosSubscriptions.@Nullable Subscription current(String key) {
		if (this.subscriptions != null) {
			for (NacosSubscriptions.Subscription subscription : this.subscriptions.all()) {
				if (key.equals(subscription.group() + "@@" + subscription.service())) {
					return subscription;
				}
			}
		}
		return this.latest.get(key);
	}

	private void record(NacosConfigRefreshHistory.Refresh refresh) {
		this.registries.forEach((registry) -> record(refresh, registry));
	}

	private void record(NacosConfigRefreshHistory.Refresh refresh, MeterRegistry registry) {
		String outcome = refresh.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-');
		Timer.builder("nacos.config.refresh")
			.description("Handling of a Nacos config change: parse, validate and apply")
			.tag("data-id", refresh.dataId())
			.tag("group", refresh.group())
			.tag("outcome", outcome)
			.register(registry)
			.record(refresh.duration());
		if (refresh.outcome().isFailure()) {
			Counter.builder("nacos.config.refresh.errors")
				.description("Nacos config changes refused (malformed or invalid content)")
				.tag("data-id", refresh.dataId())
				.tag("group", refresh.group())
				.tag("outcome", outcome)
				.register(registry)
				.increment();
		}

	}

}
