package dev.nacosboot.actuate;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.Event;
import com.alibaba.nacos.api.naming.listener.EventListener;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import com.alibaba.nacos.api.naming.pojo.ServiceInfo;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;

/**
 * The services the naming client is subscribed to (by the discovery view, the load
 * balancer or anyone else), each with its instance count, the number of pushes received
 * and the time of the last one. Learns new subscriptions from the client's local list
 * when sampled and adds one listener of its own to each; never calls the server.
 * Thread-safe.
 */
public class NacosSubscriptions implements NacosStateSampler, DisposableBean {

	private static final Log logger = LogFactory.getLog(NacosSubscriptions.class);

	private final NamingService namingService;

	private final Clock clock;

	private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();

	private volatile boolean closed;

	public NacosSubscriptions(NamingService namingService, Clock clock) {
		this.namingService = namingService;
		this.clock = clock;
	}

	@Override
	public void sample() {
		if (this.closed) {
			return;
		}
		List<ServiceInfo> subscribed;
		try {
			subscribed = this.namingService.getSubscribeServices();
		}
		catch (NacosException | RuntimeException ex) {
			return;
		}
		for (ServiceInfo info : subscribed) {
			String group = (info.getGroupName() != null) ? info.getGroupName() : "DEFAULT_GROUP";
			String key = group + "@@" + info.getName();
			if (!this.tracked.containsKey(key)) {
				Tracked listener = new Tracked(group, info.getName());
				if (this.tracked.putIfAbsent(key, listener) == null) {
					try {
						this.namingService.subscribe(info.getName(), group, listener);
					}
					catch (NacosException | RuntimeException ex) {
						this.tracked.remove(key);
						logger.debug("Could not follow the pushes of " + key + ": " + ex.getMessage());
					}
				}
			}
		}
	}

	/**
	 * The subscribed services, sorted by group and name.
	 * @return one entry per subscribed service
	 */
	public List<Subscription> all() {
		List<Subscription> all = new ArrayList<>();
		this.tracked.values().forEach((tracked) -> all.add(tracked.toSubscription()));
		all.sort(Comparator.comparing(Subscription::group).thenComparing(Subscription::service));
		return all;
	}

	/**
	 * Total number of pushes received for every subscribed service.
	 * @return the push count
	 */
	public long totalPushes() {
		return this.tracked.values().stream().mapToLong((tracked) -> tracked.pushes.get()).sum();
	}

	@Override
	public void destroy() {
		this.closed = true;
		this.tracked.values().forEach((listener) -> {
			try {
				this.namingService.unsubscribe(listener.service, listener.group, listener);
			}
			catch (NacosException | RuntimeException ex) {
				// The naming client is being shut down with the context.
			}
		});
		this.tracked.clear();
	}

	/**
	 * One subscribed service.
	 *
	 * @param group the group
	 * @param service the service name
	 * @param instances instances the last push listed
	 * @param pushes pushes received since the subscription was seen
	 * @param lastPush when the last push arrived, {@code null} before the first
	 */
	public record Subscription(String group, String service, int instances, long pushes, @Nullable Instant lastPush) {
	}

	private final class Tracked implements EventListener {

		private final String group;

		private final String service;

		private final AtomicLong pushes = new AtomicLong();

		private volatile int instances;

		private volatile @Nullable Instant lastPush;

		Tracked(String group, String service) {
			this.group = group;
			this.service = service;
		}

		@Override
		public void onEvent(Event event) {
			if (event instanceof NamingEvent naming) {
				this.instances = (naming.getInstances() != null) ? naming.getInstances().size() : 0;
				this.lastPush = NacosSubscriptions.this.clock.instant();
				this.pushes.incrementAndGet();
			}
		}

		Subscription toSubscription() {
			return new Subscription(this.group, this.service, this.instances, this.pushes.get(), this.lastPush);
		}

	}

}
