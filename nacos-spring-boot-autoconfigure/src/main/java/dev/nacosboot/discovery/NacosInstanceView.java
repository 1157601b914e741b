package dev.nacosboot.discovery;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.Event;
import com.alibaba.nacos.api.naming.listener.EventListener;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import com.alibaba.nacos.api.naming.pojo.Instance;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationEventPublisher;

/**
 * The push-updated local view of the services this application discovers. The first request for a service
 * subscribes to it (in every discovery group); from then on the server's pushes replace an immutable per-service
 * snapshot and readers never wait for the network. Every real change of a snapshot publishes one
 * {@link HeartbeatEvent} whose value is a counter of changes, so it differs exactly when an instance set changed.
 * <p>
 * Pushes are the only source of change: a server that becomes unreachable sends none, so readers keep the last
 * known instances.
 */
public class NacosInstanceView implements DisposableBean {

	private static final Log logger = LogFactory.getLog(NacosInstanceView.class);

	private static final String GROUP_SEPARATOR = "@@";

	private final NamingService namingService;

	private final List<String> groups;

	private final boolean healthyOnly;

	private final ApplicationEventPublisher publisher;

	private final Map<ServiceKey, Snapshot> snapshots = new ConcurrentHashMap<>();

	private final Map<ServiceKey, EventListener> subscriptions = new ConcurrentHashMap<>();

	private final AtomicLong changes = new AtomicLong();

	private volatile List<String> lastServices = List.of();

	private volatile boolean closed;

	/**
	 * Creates a view.
	 * @param namingService the client to subscribe with
	 * @param groups groups to discover in, first has precedence
	 * @param healthyOnly whether to answer only healthy, enabled instances with weight above 0
	 * @param publisher where change events go
	 */
	public NacosInstanceView(NamingService namingService, List<String> groups, boolean healthyOnly,
			ApplicationEventPublisher publisher) {
		this.namingService = namingService;
		this.groups = List.copyOf(groups);
		this.healthyOnly = healthyOnly;
		this.publisher = publisher;
	}

	/**
	 * Instances of a service across the discovery groups; {@code group@@service} asks one group only. Subscribes on
	 * first use; afterwards answers from memory.
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
	 * Names of the services in the discovery groups, asked from the server; the last answer when it is
	 * unreachable.
	 * @return service names
	 */
	public List<String> getServices() {
		Set<String> names = new LinkedHashSet<>();
		try {
			for (String group : this.groups) {
				names.addAll(this.namingService.getServicesOfServer(1, Integer.MAX_VALUE, group).getData());
			}
			this.lastServices = List.copyOf(names);
		}
		catch (NacosException | RuntimeException ex) {
			logger.debug("Could not list Nacos services, answering the last known list: " + ex.getMessage());
		}
		return this.lastServices;
	}

	/**
	 * Whether the naming client is connected to a server.
	 * @return whether it reports "UP"
	 */
	public boolean isServerUp() {
		return "UP".equals(this.namingService.getServerStatus());
	}

	/**
	 * A value that changes exactly when a subscribed instance set changes (the value of the last
	 * {@link HeartbeatEvent}).
	 * @return the change counter
	 */
	public long getChangeCount() {
		return this.changes.get();
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
				this.namingService.subscribe(k.service(), k.group(), listener);
			}
			catch (NacosException | RuntimeException ex) {
				// The listener is registered before the request fails, and the client replays the subscription
				// once connected: its push fills the snapshot then.
				logger.warn("Could not subscribe to Nacos service " + k + " yet (" + ex.getMessage()
						+ "); answering from the client's cache until the server pushes");
			}
			try {
				// Answers from the client's cache (loaded from disk with naming-load-cache-at-start) when the
				// server cannot be asked.
				List<Instance> instances = this.namingService.getAllInstances(k.service(), k.group(), true);
				// A push may already have replaced the snapshot; never overwrite it with this older answer.
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
		Snapshot updated = snapshot(key, namingEvent.getInstances());
		Snapshot previous = this.snapshots.put(key, updated);
		if (previous == null || !previous.all().equals(updated.all())) {
			long value = this.changes.incrementAndGet();
			if (logger.isDebugEnabled()) {
				logger.debug("Nacos service " + key + " changed: " + updated.all());
			}
			try {
				this.publisher.publishEvent(new HeartbeatEvent(this, value));
			}
			catch (RuntimeException ex) {
				logger.debug("Could not publish the instance change of " + key + ": " + ex.getMessage());
			}
		}
	}

	private Snapshot snapshot(ServiceKey key, @Nullable List<Instance> instances) {
		if (instances == null || instances.isEmpty()) {
			return Snapshot.EMPTY;
		}
		List<NacosServiceInstance> all = new ArrayList<>(instances.size());
		List<NacosServiceInstance> routable = new ArrayList<>(instances.size());
		for (Instance instance : instances) {
			NacosServiceInstance serviceInstance = new NacosServiceInstance(key.service(), key.group(), instance);
			all.add(serviceInstance);
			if (!this.healthyOnly || (instance.isHealthy() && instance.isEnabled() && instance.getWeight() > 0)) {
				routable.add(serviceInstance);
			}
		}
		return new Snapshot(List.copyOf(all), List.copyOf(routable));
	}

	@Override
	public void destroy() {
		this.closed = true;
		this.subscriptions.forEach((key, listener) -> {
			try {
				this.namingService.unsubscribe(key.service(), key.group(), listener);
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

}
