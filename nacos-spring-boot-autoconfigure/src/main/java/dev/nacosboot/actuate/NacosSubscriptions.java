package dev.nacosboot.actuate;

import java.time.Instant;
import java.util.List;

import dev.nacosboot.discovery.NacosInstanceView;
import org.jspecify.annotations.Nullable;

/**
 * The services discovery is subscribed to, each with its instance count, the number of
 * pushes received and the time of the last one, as the discovery view recorded them: it
 * receives every push, so nothing here listens or calls the server.
 */
class NacosSubscriptions {

	private final NacosInstanceView view;

	public NacosSubscriptions(NacosInstanceView view) {
		this.view = view;
	}

	/**
	 * The subscribed services, sorted by group and name.
	 * @return one entry per subscribed service
	 */
	public List<Subscription> all() {
		return this.view.subscriptions()
			.stream()
			.map((subscription) -> new Subscription(subscription.group(), subscription.service(),
					subscription.instances(), subscription.pushes(), subscription.lastPush()))
			.toList();
	}

	/**
	 * Total number of pushes received for every subscribed service.
	 * @return the push count
	 */
	public long totalPushes() {
		return this.view.subscriptions().stream().mapToLong(NacosInstanceView.Subscription::pushes).sum();
	}

	/**
	 * One subscribed service.
	 *
	 * @param group the group
	 * @param service the service name
	 * @param instances instances the last push listed
	 * @param pushes pushes received since the subscription
	 * @param lastPush when the last push arrived, {@code null} before the first
	 */
	public record Subscription(String group, String service, int instances, long pushes, @Nullable Instant lastPush) {
	}

}
