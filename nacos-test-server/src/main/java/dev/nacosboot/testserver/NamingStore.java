package dev.nacosboot.testserver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.alibaba.nacos.api.naming.pojo.Instance;
import com.alibaba.nacos.api.naming.pojo.ServiceInfo;
import com.alibaba.nacos.api.naming.remote.request.NotifySubscriberRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services, their instances and their subscribers. Ephemeral instances are published per
 * connection (one publication per service and connection: a new register or batch
 * register replaces the previous one, and a deregister removes it, as in Nacos 2+),
 * persistent ones per service. Every change is pushed to the service's subscribers at
 * once (a real server batches pushes for ~500 ms). Disabled instances are stored but
 * never served, as a real server filters them from queries and pushes.
 */
final class NamingStore {

	private static final Logger logger = LoggerFactory.getLogger(NamingStore.class);

	static final String DEFAULT_CLUSTER = "DEFAULT";

	private final Object lock = new Object();

	private final Map<String, Map<ServiceKey, List<Instance>>> ephemeralByConnection = new HashMap<>();

	private final Map<ServiceKey, Map<String, Instance>> persistent = new HashMap<>();

	private final Map<ServiceKey, Long> services = new LinkedHashMap<>();

	private final Map<ServiceKey, Map<String, ServerConnection>> subscribers = new HashMap<>();

	/** Services that have at least one instance, for fuzzy watches. */
	private final Set<ServiceKey> available = new java.util.HashSet<>();

	private volatile java.util.function.BiConsumer<ServiceKey, Boolean> availabilityListener = (service, up) -> {
	};

	private final ScheduledExecutorService pushes = Executors
		.newSingleThreadScheduledExecutor(GrpcEndpoint.daemonThreads("nacos-test-server-naming-push-"));

	private final Set<ServiceKey> pendingPushes = ConcurrentHashMap.newKeySet();

	/**
	 * Off while the server stops: the connections it closes release their instances
	 * asynchronously, and a stopping Nacos pushes no such removal to the clients still
	 * connected.
	 */
	private volatile boolean pushing = true;

	private final Duration pushDelay;

	private final Duration closedConnectionRetention;

	/**
	 * @param pushDelay how long a change waits before it is pushed, changes within the
	 * wait merging into one push (a real server waits 500 ms); zero pushes every change
	 * at once
	 */
	NamingStore(Duration pushDelay) {
		this(pushDelay, Duration.ZERO);
	}

	/**
	 * @param pushDelay how long a change waits before it is pushed (see above)
	 * @param closedConnectionRetention how long the instances of a closed connection stay
	 * listed, healthy, as the surviving members of a cluster keep those of a crashed
	 * member's clients until the client expiry; zero removes them at once
	 */
	NamingStore(Duration pushDelay, Duration closedConnectionRetention) {
		this.pushDelay = pushDelay;
		this.closedConnectionRetention = closedConnectionRetention;
	}

	void register(ServerConnection connection, ServiceKey service, List<Instance> instances) {
		List<Instance> stored = instances.stream().map((instance) -> normalized(service, instance, true)).toList();
		synchronized (this.lock) {
			this.ephemeralByConnection.computeIfAbsent(connection.id(), (id) -> new HashMap<>()).put(service, stored);
			touch(service);
		}
		push(service);
	}

	/**
	 * Removes what the connection published for the service, whatever address the request
	 * names: a real Nacos keeps one publication per connection and service. Returns
	 * whether there was one.
	 */
	boolean deregister(ServerConnection connection, ServiceKey service) {
		synchronized (this.lock) {
			Map<ServiceKey, List<Instance>> published = this.ephemeralByConnection.get(connection.id());
			if (published == null || published.remove(service) == null) {
				return false;
			}
			touch(service);
		}
		push(service);
		return true;
	}

	void registerPersistent(ServiceKey service, Instance instance) {
		Instance stored = normalized(service, instance, false);
		synchronized (this.lock) {
			this.persistent.computeIfAbsent(service, (key) -> new LinkedHashMap<>()).put(addressKey(stored), stored);
			touch(service);
		}
		push(service);
	}

	boolean deregisterPersistent(ServiceKey service, Instance instance) {
		Instance probe = normalized(service, instance, false);
		boolean removed;
		synchronized (this.lock) {
			Map<String, Instance> byAddress = this.persistent.get(service);
			removed = byAddress != null && byAddress.remove(addressKey(probe)) != null;
			touch(service);
		}
		if (removed) {
			push(service);
		}
		return removed;
	}

	/**
	 * Registers or deregisters an instance that no connection owns, as the HTTP open API
	 * does for ephemeral instances (the test server keeps them until they are
	 * deregistered: it runs no heartbeat checks).
	 */
	void registerDetached(ServiceKey service, Instance instance) {
		if (instance.isEphemeral()) {
			Instance stored = normalized(service, instance, true);
			synchronized (this.lock) {
				List<Instance> detached = new ArrayList<>(
						this.ephemeralByConnection.computeIfAbsent(DETACHED, (id) -> new HashMap<>())
							.getOrDefault(service, List.of()));
				detached.removeIf(sameAddress(stored));
				detached.add(stored);
				this.ephemeralByConnection.get(DETACHED).put(service, List.copyOf(detached));
				touch(service);
			}
			push(service);
		}
		else {
			registerPersistent(service, instance);
		}
	}

	boolean deregisterDetached(ServiceKey service, Instance instance) {
		if (!instance.isEphemeral()) {
			return deregisterPersistent(service, instance);
		}
		boolean removed;
		synchronized (this.lock) {
			// Only what the open API registered: instances of gRPC connections belong to
			// their connection.
			Map<ServiceKey, List<Instance>> published = this.ephemeralByConnection.getOrDefault(DETACHED,
					new HashMap<>());
			List<Instance> remaining = new ArrayList<>(published.getOrDefault(service, List.of()));
			// The open API deregisters by ip and port, whatever cluster the request
			// names.
			removed = remaining.removeIf(
					(stored) -> stored.getIp().equals(instance.getIp()) && stored.getPort() == instance.getPort());
			if (removed) {
				published.put(service, List.copyOf(remaining));
			}
			touch(service);
		}
		if (removed) {
			push(service);
		}
		return removed;
	}

	private static final String DETACHED = "http-open-api";

	/**
	 * Key prefix of the publications a closed connection left behind (crashed-member
	 * mode).
	 */
	private static final String GHOST_PREFIX = "closed-connection:";

	ServiceInfo subscribe(ServerConnection connection, ServiceKey service, String clusters) {
		boolean first;
		ServiceInfo info;
		synchronized (this.lock) {
			first = this.subscribers.computeIfAbsent(service, (key) -> new LinkedHashMap<>())
				.put(connection.id(), connection) == null;
			info = serviceInfo(service, clusters, false);
		}
		if (first) {
			// A real server follows the first subscribe of a connection with a push to
			// that connection alone.
			push(service, List.of(connection));
		}
		return info;
	}

	ServiceInfo unsubscribe(ServerConnection connection, ServiceKey service, String clusters) {
		synchronized (this.lock) {
			Map<String, ServerConnection> subscribed = this.subscribers.get(service);
			if (subscribed != null) {
				subscribed.remove(connection.id());
				if (subscribed.isEmpty()) {
					this.subscribers.remove(service);
				}
			}
			return serviceInfo(service, clusters, false);
		}
	}

	ServiceInfo query(ServiceKey service, String clusters, boolean healthyOnly) {
		synchronized (this.lock) {
			return serviceInfo(service, clusters, healthyOnly);
		}
	}

	/**
	 * Service names of a namespace and group, sorted, one page of them ({@code pageNo}
	 * starts at 1).
	 */
	ServicePage list(String namespace, String group, int pageNo, int pageSize) {
		String ns = Namespaces.normalize(namespace);
		String grp = Namespaces.group(group);
		List<String> names;
		synchronized (this.lock) {
			names = new ArrayList<>(new TreeSet<>(this.services.keySet()
				.stream()
				.filter((key) -> key.namespace().equals(ns) && key.group().equals(grp))
				.map(ServiceKey::name)
				.toList()));
		}
		int size = Math.max(pageSize, 1);
		int from = Math.max(pageNo - 1, 0) * size;
		List<String> page = (from >= names.size()) ? List.of()
				: List.copyOf(names.subList(from, Math.min(from + size, names.size())));
		return new ServicePage(names.size(), page);
	}

	void connectionClosed(ServerConnection connection) {
		Set<ServiceKey> changed;
		synchronized (this.lock) {
			Map<ServiceKey, List<Instance>> published = this.ephemeralByConnection.remove(connection.id());
			this.subscribers.values().forEach((subscribed) -> subscribed.remove(connection.id()));
			this.subscribers.values().removeIf(Map::isEmpty);
			if (published != null && !published.isEmpty() && !this.closedConnectionRetention.isZero()) {
				// Crashed-member mode: the instances stay listed until the retention
				// ends.
				String ghost = GHOST_PREFIX + connection.id();
				this.ephemeralByConnection.put(ghost, published);
				logger.info("Keeping the {} instances of closed connection {} listed for {}",
						published.values().stream().mapToInt(List::size).sum(), connection.id(),
						this.closedConnectionRetention);
				this.pushes.schedule(() -> expire(ghost, published), this.closedConnectionRetention.toMillis(),
						TimeUnit.MILLISECONDS);
				return;
			}
			changed = (published != null) ? published.keySet() : Set.of();
			changed.forEach(this::touch);
		}
		changed.forEach(this::push);
	}

	private void expire(String ghost, Map<ServiceKey, List<Instance>> published) {
		Set<ServiceKey> changed;
		synchronized (this.lock) {
			if (!this.ephemeralByConnection.remove(ghost, published)) {
				return;
			}
			changed = published.keySet();
			changed.forEach(this::touch);
		}
		changed.forEach(this::push);
	}

	/**
	 * Forgets all ephemeral state, as a restarted server does; persistent instances stay.
	 */
	void clearEphemeral() {
		synchronized (this.lock) {
			this.ephemeralByConnection.clear();
			this.subscribers.clear();
			this.available.removeIf((key) -> !this.persistent.containsKey(key));
			this.services.keySet().removeIf((key) -> !this.persistent.containsKey(key));
		}
	}

	List<Instance> instances(ServiceKey service) {
		synchronized (this.lock) {
			return allInstances(service).stream().map(NamingStore::copy).toList();
		}
	}

	List<String> subscriberConnections(ServiceKey service) {
		synchronized (this.lock) {
			return List.copyOf(this.subscribers.getOrDefault(service, Map.of()).keySet());
		}
	}

	void shutdown() {
		this.pushes.shutdownNow();
	}

	private void push(ServiceKey service) {
		push(service, null);
	}

	/**
	 * Pushes the service's current state to the given connections, or to all its
	 * subscribers when null.
	 */
	private void push(ServiceKey service, List<ServerConnection> only) {
		if (this.pushDelay.isZero()) {
			this.pushes.execute(() -> pushNow(service, only));
		}
		else if (only != null) {
			this.pushes.schedule(() -> pushNow(service, only), this.pushDelay.toMillis(), TimeUnit.MILLISECONDS);
		}
		else if (this.pendingPushes.add(service)) {
			this.pushes.schedule(() -> {
				this.pendingPushes.remove(service);
				pushNow(service, null);
			}, this.pushDelay.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	/** Stops every push, pending ones included, until {@link #resumePushes()}. */
	void suspendPushes() {
		this.pushing = false;
	}

	void resumePushes() {
		this.pushing = true;
	}

	private void pushNow(ServiceKey service, List<ServerConnection> only) {
		if (!this.pushing) {
			return;
		}
		List<ServerConnection> targets;
		ServiceInfo info;
		synchronized (this.lock) {
			Map<String, ServerConnection> subscribed = this.subscribers.getOrDefault(service, Map.of());
			targets = (only != null) ? only.stream().filter((c) -> subscribed.containsKey(c.id())).toList()
					: List.copyOf(subscribed.values());
			info = serviceInfo(service, "", false);
		}
		for (ServerConnection target : targets) {
			target.push(NotifySubscriberRequest.buildNotifySubscriberRequest(info)).exceptionally((ex) -> {
				logger.debug("Push of {} to {} failed: {}", service, target.id(), ex.toString());
				return null;
			});
		}
	}

	/**
	 * Called (under the store's lock) when a service gets its first instance or loses its
	 * last one.
	 */
	void onAvailabilityChange(java.util.function.BiConsumer<ServiceKey, Boolean> listener) {
		this.availabilityListener = listener;
	}

	/** Services of a namespace that have at least one instance. */
	List<ServiceKey> availableServices() {
		synchronized (this.lock) {
			return List.copyOf(this.available);
		}
	}

	private void touch(ServiceKey service) {
		boolean up = !allInstances(service).isEmpty();
		if (up ? this.available.add(service) : this.available.remove(service)) {
			this.availabilityListener.accept(service, up);
		}
		long now = System.currentTimeMillis();
		// lastRefTime must grow with every change: the client drops a push older than
		// what it holds.
		this.services.merge(service, now, (old, current) -> Math.max(old + 1, current));
	}

	private ServiceInfo serviceInfo(ServiceKey service, String clusters, boolean healthyOnly) {
		ServiceInfo info = new ServiceInfo();
		info.setName(service.name());
		info.setGroupName(service.group());
		info.setClusters((clusters != null) ? clusters : "");
		info.setCacheMillis(10_000L);
		info.setLastRefTime(this.services.getOrDefault(service, System.currentTimeMillis()));
		Set<String> wantedClusters = clusterSet(clusters);
		List<Instance> hosts = allInstances(service).stream()
			.filter((instance) -> wantedClusters.isEmpty() || wantedClusters.contains(instance.getClusterName()))
			.filter(Instance::isEnabled)
			.filter((instance) -> !healthyOnly || instance.isHealthy())
			.map(NamingStore::copy)
			.toList();
		info.setHosts(new ArrayList<>(hosts));
		info.setReachProtectionThreshold(false);
		info.setChecksum("");
		return info;
	}

	// Equal instances published by several connections (a closed connection's and its
	// client's new one) are listed once, as a real Nacos lists the set of them.
	private List<Instance> allInstances(ServiceKey service) {
		Set<Instance> all = new java.util.LinkedHashSet<>();
		this.ephemeralByConnection.values()
			.forEach((published) -> all.addAll(published.getOrDefault(service, List.of())));
		all.addAll(this.persistent.getOrDefault(service, Map.of()).values());
		return new ArrayList<>(all);
	}

	private static Set<String> clusterSet(String clusters) {
		Set<String> set = new TreeSet<>();
		if (clusters != null) {
			for (String cluster : clusters.split(",")) {
				if (!cluster.isBlank()) {
					set.add(cluster.trim());
				}
			}
		}
		return set;
	}

	private static Instance normalized(ServiceKey service, Instance source, boolean ephemeral) {
		Instance instance = copy(source);
		if (instance.getClusterName() == null || instance.getClusterName().isBlank()) {
			instance.setClusterName(DEFAULT_CLUSTER);
		}
		instance.setEphemeral(ephemeral);
		instance.setServiceName(service.groupedName());
		if (instance.getInstanceId() == null || instance.getInstanceId().isBlank()) {
			instance.setInstanceId(instance.getIp() + "#" + instance.getPort() + "#" + instance.getClusterName() + "#"
					+ service.groupedName());
		}
		return instance;
	}

	static Instance copy(Instance source) {
		Instance copy = new Instance();
		copy.setInstanceId(source.getInstanceId());
		copy.setIp(source.getIp());
		copy.setPort(source.getPort());
		copy.setWeight(source.getWeight());
		copy.setHealthy(source.isHealthy());
		copy.setEnabled(source.isEnabled());
		copy.setEphemeral(source.isEphemeral());
		copy.setClusterName(source.getClusterName());
		copy.setServiceName(source.getServiceName());
		copy.setMetadata(new HashMap<>((source.getMetadata() != null) ? source.getMetadata() : Map.of()));
		return copy;
	}

	private static Predicate<Instance> sameAddress(Instance probe) {
		String key = addressKey(probe);
		return (instance) -> addressKey(instance).equals(key);
	}

	private static String addressKey(Instance instance) {
		String cluster = (instance.getClusterName() == null || instance.getClusterName().isBlank()) ? DEFAULT_CLUSTER
				: instance.getClusterName();
		return instance.getIp() + ":" + instance.getPort() + ":" + cluster;
	}

	/**
	 * One page of service names and the total count.
	 *
	 * @param count the number of services in the namespace and group
	 * @param names the names on this page
	 */
	record ServicePage(int count, List<String> names) {
	}

}
