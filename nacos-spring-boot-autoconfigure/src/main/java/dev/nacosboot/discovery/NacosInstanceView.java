package dev.nacosboot.discovery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.Event;
import com.alibaba.nacos.api.naming.listener.EventListener;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.core.NacosConnectionState;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.TaskScheduler;

/**
 * The push-updated local view of the services this application discovers. The first
 * request for a service subscribes to it (in every discovery group); from then on the
 * server's pushes replace an immutable per-service snapshot and readers never wait for
 * the network. Every real change of a snapshot publishes one {@link HeartbeatEvent} whose
 * value is a counter of changes, so it differs exactly when an instance set changed.
 * <p>
 * Pushes are the only source of change: a server that becomes unreachable sends none, so
 * readers keep the last known instances. A restarted server answers the client's
 * re-subscription before the providers have registered again; an empty list that arrives
 * within {@code emptyGraceAfterReconnect} of the client being disconnected is therefore
 * held back until that grace ends, and dropped as soon as the providers are pushed again.
 */
public class NacosInstanceView implements DisposableBean {

	private static final Log logger = LogFactory.getLog(NacosInstanceView.class);

	private static final String GROUP_SEPARATOR = "@@";

	private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9\\-.]*[A-Za-z0-9])?");

	private static final Pattern IPV4_LIKE = Pattern.compile("[0-9.]+");

	private final Set<String> reportedUnusable = ConcurrentHashMap.newKeySet();

	private final Supplier<NamingService> namingService;

	private final List<String> groups;

	private final boolean healthyOnly;

	private final NacosDiscoveryChanges changes;

	private final Map<ServiceKey, Snapshot> snapshots = new ConcurrentHashMap<>();

	private final Map<ServiceKey, EventListener> subscriptions = new ConcurrentHashMap<>();

	private final Duration emptyGraceAfterReconnect;

	private final NacosConnectionState connection;

	private final @Nullable TaskScheduler scheduler;

	private final Map<ServiceKey, ScheduledFuture<?>> heldEmpties = new ConcurrentHashMap<>();

	private final Map<ServiceKey, Pushes> pushes = new ConcurrentHashMap<>();

	private volatile boolean closed;

	/**
	 * Creates a view that applies every push at once, also an empty list right after a
	 * reconnect, and reads the connection only when asked: for tools and tests that run
	 * it outside an application context.
	 * @param namingService the client to subscribe with
	 * @param groups groups to discover in, first has precedence
	 * @param healthyOnly whether to answer only healthy, enabled instances with weight
	 * above 0
	 * @param publisher where change events go
	 */
	public NacosInstanceView(NamingService namingService, List<String> groups, boolean healthyOnly,
			ApplicationEventPublisher publisher) {
		this(namingService, groups, healthyOnly, new NacosDiscoveryChanges(publisher, true), Duration.ZERO,
				new NacosConnectionState(NamingConnectionState.of(namingService), Clock.systemUTC(), null,
						NamingConnectionState.SAMPLE_INTERVAL),
				null);
	}

	/**
	 * Creates a view.
	 * @param namingService the client to subscribe with
	 * @param groups groups to discover in, first has precedence
	 * @param healthyOnly whether to answer only healthy, enabled instances with weight
	 * above 0
	 * @param changes counts and publishes each change of an instance set
	 * @param emptyGraceAfterReconnect how long after a reconnect an empty instance list
	 * is held back (zero: never)
	 * @param connection the client's connection
	 * @param scheduler ends the hold-back of an empty list; {@code null} holds nothing
	 * back
	 */
	public NacosInstanceView(NamingService namingService, List<String> groups, boolean healthyOnly,
			NacosDiscoveryChanges changes, Duration emptyGraceAfterReconnect, NacosConnectionState connection,
			@Nullable TaskScheduler scheduler) {
		this(() -> namingService, groups, healthyOnly, changes, emptyGraceAfterReconnect, connection, scheduler);
	}

	/**
	 * Creates a view on a client that is created at the first subscription.
	 * @param namingService the client to subscribe with
	 * @param groups groups to discover in, first has precedence
	 * @param healthyOnly whether to answer only healthy, enabled instances with weight
	 * above 0
	 * @param changes counts and publishes each change of an instance set
	 * @param emptyGraceAfterReconnect how long after a reconnect an empty instance list
	 * is held back (zero: never)
	 * @param connection the client's connection
	 * @param scheduler ends the hold-back of an empty list; {@code null} holds nothing
	 * back
	 */
	public NacosInstanceView(Supplier<NamingService> namingService, List<String> groups, boolean healthyOnly,
			NacosDiscoveryChanges changes, Duration emptyGraceAfterReconnect, NacosConnectionState connection,
			@Nullable TaskScheduler scheduler) {
		this.namingService = namingService;
		this.groups = List.copyOf(groups);
		this.healthyOnly = healthyOnly;
		this.changes = changes;
		this.emptyGraceAfterReconnect = emptyGraceAfterReconnect;
		this.connection = connection;
		this.scheduler = scheduler;
	}

	/**
	 * The default of {@code spring.cloud.nacos.discovery.empty-grace-after-reconnect}.
	 */
	public static final Duration DEFAULT_EMPTY_GRACE_AFTER_RECONNECT = Duration.ofSeconds(10);

	/**
	 * Instances of a service across the discovery groups; {@code group@@service} asks one
	 * group only. Subscribes on first use; afterwards answers from memory.
	 * @param serviceId the service
	 * @return the instances, never {@code null}
	 */
	public List<NacosServiceInstance> getInstances(String serviceId) {
		List<ServiceKey> keys = keysOf(serviceId);
		if (keys.size() == 1) {
			return snapshotOf(keys.get(0)).routable();
		}
		List<NacosServiceInstance> merged = new ArrayList<>();
		Set<String> seen = new LinkedHashSet<>();
		for (ServiceKey key : keys) {
			for (NacosServiceInstance instance : snapshotOf(key).routable()) {
				if (seen.add(instance.getHost() + ":" + instance.getPort())) {
					merged.add(instance);
				}
			}
		}
		return List.copyOf(merged);
	}

	/**
	 * Whether the naming client is connected to a server.
	 * @return whether it reports "UP"
	 */
	public boolean isServerUp() {
		return this.connection.isConnected();
	}

	/**
	 * The services this view is subscribed to, each with what the pushes for it said.
	 * @return one entry per subscribed service, sorted by group and name
	 */
	public List<Subscription> subscriptions() {
		List<Subscription> all = new ArrayList<>();
		for (ServiceKey key : this.subscriptions.keySet()) {
			Pushes received = this.pushes.get(key);
			all.add((received != null) ? received.toSubscription(key)
					: new Subscription(key.group(), key.service(), snapshotOrEmpty(key).all().size(), 0, null));
		}
		all.sort(Comparator.comparing(Subscription::group).thenComparing(Subscription::service));
		return all;
	}

	private Snapshot snapshotOrEmpty(ServiceKey key) {
		return this.snapshots.getOrDefault(key, Snapshot.EMPTY);
	}

	/**
	 * A value that changes exactly when a subscribed instance set (or the service list)
	 * changes: the value of the last {@link HeartbeatEvent}.
	 * @return the change counter
	 */
	public long getChangeCount() {
		return this.changes.count();
	}

	private List<ServiceKey> keysOf(String serviceId) {
		int separator = serviceId.indexOf(GROUP_SEPARATOR);
		if (separator > 0) {
			return List.of(new ServiceKey(serviceId.substring(0, separator),
					serviceId.substring(separator + GROUP_SEPARATOR.length())));
		}
		List<ServiceKey> keys = new ArrayList<>(this.groups.size());
		for (String group : this.groups) {
			keys.add(new ServiceKey(group, serviceId));
		}
		return keys;
	}

	/**
	 * Whether {@link #getInstances(String)} answers this service from memory: it was
	 * asked for before, so the view is subscribed to it in every group it looks in.
	 * @param serviceId the service, {@code group@@service} for one group
	 * @return whether reading it never touches the network
	 */
	public boolean isSubscribed(String serviceId) {
		for (ServiceKey key : keysOf(serviceId)) {
			if (!this.subscriptions.containsKey(key)) {
				return false;
			}
		}
		return true;
	}

	private Snapshot snapshotOf(ServiceKey key) {
		Snapshot snapshot = this.snapshots.get(key);
		if (snapshot != null) {
			return snapshot;
		}
		subscribe(key);
		return this.snapshots.getOrDefault(key, Snapshot.EMPTY);
	}

	private void subscribe(ServiceKey key) {
		if (this.closed) {
			return;
		}
		this.subscriptions.computeIfAbsent(key, (k) -> {
			EventListener listener = (event) -> onEvent(k, event);
			try {
				this.namingService.get().subscribe(k.service(), k.group(), listener);
			}
			catch (NacosException | RuntimeException ex) {
				// The listener is registered before the request fails, and the client
				// replays the subscription
				// once connected: its push fills the snapshot then.
				logger.warn("Could not subscribe to Nacos service " + k + " yet (" + ex.getMessage()
						+ "); answering from the client's cache until the server pushes");
			}
			try {
				// Answers from the client's cache (loaded from disk with
				// naming-load-cache-at-start) when the
				// server cannot be asked.
				List<Instance> instances = this.namingService.get().getAllInstances(k.service(), k.group(), true);
				// A push may already have replaced the snapshot; never overwrite it with
				// this older answer.
				this.snapshots.putIfAbsent(k, snapshot(k, instances));
			}
			catch (NacosException | RuntimeException ex) {
				logger.debug("No instances of " + k + " known yet: " + ex.getMessage());
			}
			return listener;
		});
	}

	private void onEvent(ServiceKey key, Event event) {
		if (!(event instanceof NamingEvent namingEvent) || this.closed) {
			return;
		}
		this.pushes.computeIfAbsent(key, (k) -> new Pushes()).received(namingEvent.getInstances());
		Snapshot updated = snapshot(key, namingEvent.getInstances());
		ScheduledFuture<?> held = this.heldEmpties.remove(key);
		if (held != null) {
			held.cancel(false);
		}
		if (updated.all().isEmpty() && !this.snapshots.getOrDefault(key, Snapshot.EMPTY).all().isEmpty()
				&& holdEmpty(key)) {
			return;
		}
		apply(key, updated);
	}

	/**
	 * Holds back an empty list that follows a reconnect, until the grace after the
	 * reconnect ends.
	 * @return whether it was held
	 */
	private boolean holdEmpty(ServiceKey key) {
		TaskScheduler scheduler = this.scheduler;
		Instant lastDisconnected = this.connection.observe().lastDisconnected();
		if (scheduler == null || lastDisconnected == null || this.emptyGraceAfterReconnect.isZero()) {
			return false;
		}
		Instant graceEnds = lastDisconnected.plus(this.emptyGraceAfterReconnect);
		Duration remaining = Duration.between(Instant.now(), graceEnds);
		if (remaining.isNegative() || remaining.isZero()) {
			return false;
		}
		logger.info("Nacos answered no instances of " + key + " right after a reconnect; keeping the last known "
				+ "instances for up to " + remaining.toMillis() + " ms while providers register again");
		this.heldEmpties.put(key, scheduler.schedule(() -> {
			if (this.heldEmpties.remove(key) != null && !this.closed) {
				apply(key, Snapshot.EMPTY);
			}
		}, graceEnds));
		return true;
	}

	private void apply(ServiceKey key, Snapshot updated) {
		Snapshot previous = this.snapshots.put(key, updated);
		if (previous == null || !previous.all().equals(updated.all())) {
			this.changes.changed(this, () -> "instances of " + key + ": " + updated.all());
		}
	}

	private Snapshot snapshot(ServiceKey key, @Nullable List<Instance> instances) {
		if (instances == null || instances.isEmpty()) {
			return Snapshot.EMPTY;
		}
		List<NacosServiceInstance> all = new ArrayList<>(instances.size());
		List<NacosServiceInstance> routable = new ArrayList<>(instances.size());
		for (Instance instance : instances) {
			NacosServiceInstance serviceInstance = usable(key, instance);
			if (serviceInstance == null) {
				continue;
			}
			all.add(serviceInstance);
			if (!this.healthyOnly || (instance.isHealthy() && instance.isEnabled() && instance.getWeight() > 0)) {
				routable.add(serviceInstance);
			}
		}
		return new Snapshot(List.copyOf(all), List.copyOf(routable));
	}

	/**
	 * The instance as a {@code ServiceInstance}, or {@code null} (with one warning per
	 * address) when no call could reach it: another client may register anything, and a
	 * push must never break discovery or a request.
	 */
	private @Nullable NacosServiceInstance usable(ServiceKey key, Instance instance) {
		String ip = instance.getIp();
		String problem;
		if (instance.getPort() < 1 || instance.getPort() > 65535) {
			problem = "port " + instance.getPort() + " is out of range 1-65535";
		}
		else if (!isAddress(ip)) {
			problem = "'" + ip + "' is neither an IP address nor a host name";
		}
		else {
			try {
				return new NacosServiceInstance(key.service(), key.group(), instance);
			}
			catch (IllegalArgumentException ex) {
				problem = ex.getMessage();
			}
		}
		if (this.reportedUnusable.size() > 10_000) {
			this.reportedUnusable.clear();
		}
		if (this.reportedUnusable.add(key + "/" + ip + ":" + instance.getPort())) {
			logger.warn(
					"Ignoring instance " + ip + ":" + instance.getPort() + " of Nacos service " + key + ": " + problem);
		}
		return null;
	}

	private static boolean isAddress(@Nullable String ip) {
		if (ip == null) {
			return false;
		}
		if (NacosDiscoveryPropertiesValidator.isIpLiteral(ip.split("%", 2)[0])) {
			return true;
		}
		// Digits and dots only is a (bad) IPv4 address, not a host name.
		return HOST_NAME.matcher(ip).matches() && !IPV4_LIKE.matcher(ip).matches();
	}

	@Override
	public void destroy() {
		this.closed = true;
		this.heldEmpties.values().forEach((held) -> held.cancel(false));
		this.heldEmpties.clear();
		this.subscriptions.forEach((key, listener) -> {
			try {
				this.namingService.get().unsubscribe(key.service(), key.group(), listener);
			}
			catch (NacosException | RuntimeException ex) {
				logger.debug("Could not unsubscribe from " + key + ": " + ex.getMessage());
			}
		});
		this.subscriptions.clear();
	}

	record ServiceKey(String group, String service) {

		@Override
		public String toString() {
			return this.group + GROUP_SEPARATOR + this.service;
		}

	}

	record Snapshot(List<NacosServiceInstance> all, List<NacosServiceInstance> routable) {

		static final Snapshot EMPTY = new Snapshot(List.of(), List.of());

	}

	/**
	 * A subscribed service as its pushes described it.
	 *
	 * @param group the group
	 * @param service the service name
	 * @param instances instances the last push listed (also unhealthy and disabled ones)
	 * @param pushes pushes received since the subscription
	 * @param lastPush when the last push arrived, {@code null} before the first
	 */
	public record Subscription(String group, String service, int instances, long pushes, @Nullable Instant lastPush) {
	}

	private static final class Pushes {

		private final AtomicLong count = new AtomicLong();

		private volatile int instances;

		private volatile @Nullable Instant last;

		void received(@Nullable List<Instance> instances) {
			this.instances = (instances != null) ? instances.size() : 0;
			this.last = Instant.now();
			this.count.incrementAndGet();
		}

		Subscription toSubscription(ServiceKey key) {
			return new Subscription(key.group(), key.service(), this.instances, this.count.get(), this.last);
		}

	}

}
