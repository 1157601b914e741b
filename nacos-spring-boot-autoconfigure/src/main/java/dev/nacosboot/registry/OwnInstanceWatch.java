package dev.nacosboot.registry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.Event;
import com.alibaba.nacos.api.naming.listener.EventListener;
import com.alibaba.nacos.api.naming.pojo.Instance;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * This application's instance as other clients see it: the naming client's subscription
 * to its own service, so that shutdown waits exactly until the push that removes the
 * instance (or that disabled it earlier) has arrived. Every subscriber of the service on
 * the same server gets the same push, so once the own client no longer lists the
 * instance, none of them chooses it either; subscribers of other members of a cluster
 * learn of it later (the reconciler's propagation margin covers them).
 * <p>
 * The pushed list is read from the client's cache, which its push handler keeps current;
 * the listener only wakes the wait early. nacos-client stops delivering listener events
 * when the JVM shuts down (its event dispatcher has a shutdown hook of its own), which is
 * exactly when an application stopped with SIGTERM deregisters: so the cache is read
 * again every few milliseconds as well.
 */
final class OwnInstanceWatch implements EventListener {

	private static final Log logger = LogFactory.getLog(OwnInstanceWatch.class);

	private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

	private final NamingService namingService;

	private final NacosRegistration registration;

	private final boolean pushEmptyProtection;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition pushed = this.lock.newCondition();

	private OwnInstanceWatch(NamingService namingService, NacosRegistration registration, boolean pushEmptyProtection) {
		this.namingService = namingService;
		this.registration = registration;
		this.pushEmptyProtection = pushEmptyProtection;
	}

	/**
	 * Subscribes to the registration's service.
	 * @param namingService the client that registered the instance
	 * @param registration the instance
	 * @param pushEmptyProtection whether the client ignores pushes of an empty service
	 * @return the watch, or {@code null} when the subscription failed
	 */
	static @Nullable OwnInstanceWatch subscribe(NamingService namingService, NacosRegistration registration,
			boolean pushEmptyProtection) {
		OwnInstanceWatch watch = new OwnInstanceWatch(namingService, registration, pushEmptyProtection);
		try {
			namingService.subscribe(registration.getServiceId(), registration.getGroup(), clusters(registration),
					watch);
			return watch;
		}
		catch (NacosException | RuntimeException ex) {
			logger.debug("Could not watch the own instance: " + ex.getMessage());
			return null;
		}
	}

	@Override
	public void onEvent(Event event) {
		this.lock.lock();
		try {
			this.pushed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Waits until the client's view of the service no longer lists the instance as
	 * enabled.
	 * @param timeout longest wait
	 * @return whether the instance is gone from the view (false after the timeout)
	 */
	boolean awaitGone(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		this.lock.lock();
		try {
			while (isListed()) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return false;
				}
				this.pushed.awaitNanos(Math.min(remaining, RECHECK_NANOS));
			}
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		finally {
			this.lock.unlock();
		}
	}

	// Subscribed, so this reads the client's cache and never the network. The last
	// instance of a service leaves with an empty push, which clients that protect
	// against empty pushes (as this one) ignore: they keep it whatever the wait.
	private boolean isListed() {
		try {
			List<Instance> instances = this.namingService.getAllInstances(this.registration.getServiceId(),
					this.registration.getGroup(), clusters(this.registration), true);
			boolean listed = instances.stream().anyMatch((instance) -> instance.isEnabled() && isSelf(instance));
			return listed && !(this.pushEmptyProtection && instances.stream().allMatch(this::isSelf));
		}
		catch (NacosException | RuntimeException ex) {
			// Nothing to wait for that could be observed.
			return false;
		}
	}

	private boolean isSelf(Instance instance) {
		return instance.getPort() == this.registration.getPort()
				&& instance.getIp().equals(this.registration.getHost());
	}

	void close() {
		try {
			this.namingService.unsubscribe(this.registration.getServiceId(), this.registration.getGroup(),
					clusters(this.registration), this);
		}
		catch (NacosException | RuntimeException ex) {
			// The naming client is closing anyway.
		}
	}

	private static List<String> clusters(NacosRegistration registration) {
		return List.of(registration.getClusterName());
	}

}
