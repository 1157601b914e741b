package dev.nacosboot.discovery;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Counts the changes of what discovery sees (an instance set of a subscribed service, or
 * the service list) and publishes each as one {@link HeartbeatEvent} whose value is the
 * counter, so that it differs exactly when something changed. Spring Cloud Gateway
 * refreshes its discovery routes on it. With
 * {@code spring.cloud.nacos.discovery.watch.enabled=false} changes are counted but no
 * event is published.
 */
class NacosDiscoveryChanges {

	private static final Log logger = LogFactory.getLog(NacosDiscoveryChanges.class);

	private final AtomicLong count = new AtomicLong();

	private final ApplicationEventPublisher publisher;

	private final boolean publishHeartbeats;

	/**
	 * Creates the counter.
	 * @param publisher where the events go
	 * @param publishHeartbeats whether each change is published as a
	 * {@link HeartbeatEvent}
	 */
	public NacosDiscoveryChanges(ApplicationEventPublisher publisher, boolean publishHeartbeats) {
		this.publisher = publisher;
		this.publishHeartbeats = publishHeartbeats;
	}

	/**
	 * A value that changes exactly when something discovery sees changed: the value of
	 * the last {@link HeartbeatEvent}.
	 * @return the change counter
	 */
	public long count() {
		return this.count.get();
	}

	/**
	 * Whether changes are published as {@link HeartbeatEvent}s.
	 * @return whether they are
	 */
	public boolean publishesHeartbeats() {
		return this.publishHeartbeats;
	}

	/**
	 * Counts one change and publishes it.
	 * @param source the event's source
	 * @param what what changed, for the debug log
	 */
	void changed(Object source, Supplier<String> what) {
		long value = this.count.incrementAndGet();
		if (logger.isDebugEnabled()) {
			logger.debug("Nacos discovery change " + value + ": " + what.get());
		}
		if (!this.publishHeartbeats) {
			return;
		}
		try {
			this.publisher.publishEvent(new HeartbeatEvent(source, value));
		}
		catch (RuntimeException ex) {
			// A listener's failure must not break the push that caused the change.
			logger.debug("Could not publish Nacos discovery change " + value + ": " + ex.getMessage());
		}
	}

}
