package dev.nacosboot.actuate;

import java.time.Duration;

import dev.nacosboot.registry.NacosInstanceReconciler;
import dev.nacosboot.registry.OutOfTrafficReason;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

/**
 * Pushes the status of one health group into Nacos: while the group is not UP the
 * instance is out of traffic ({@link OutOfTrafficReason#HEALTH_GROUP}), and back in when
 * it is UP again. The group is checked at a fixed interval on one daemon thread, so an
 * instance that still holds its Nacos connection but fails its checks stops receiving
 * traffic within the interval plus one request to the server.
 */
class HealthGroupTrafficSync implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(HealthGroupTrafficSync.class);

	private final HealthEndpoint healthEndpoint;

	private final String group;

	private final NacosInstanceReconciler reconciler;

	private final FixedDelayTask task;

	private volatile @Nullable Status lastStatus;

	/**
	 * Creates the sync.
	 * @param healthEndpoint evaluates the group
	 * @param groups the configured groups, to check that the group exists
	 * @param group the group's name
	 * @param reconciler applies the result
	 * @param interval how often the group is checked
	 * @param scheduler where the checks run
	 * @throws IllegalStateException when no such group is configured
	 */
	public HealthGroupTrafficSync(HealthEndpoint healthEndpoint, HealthEndpointGroups groups, String group,
			NacosInstanceReconciler reconciler, Duration interval, TaskScheduler scheduler) {
		if (groups.get(group) == null) {
			throw new IllegalStateException("spring.cloud.nacos.health.traffic.group names the health group '" + group
					+ "', which does not exist; define it with management.endpoint.health.group." + group
					+ ".include or use one of " + groups.getNames());
		}
		this.healthEndpoint = healthEndpoint;
		this.group = group;
		this.reconciler = reconciler;
		this.task = new FixedDelayTask(scheduler, interval, this::checkSafely);
	}

	/**
	 * Checks the group once and applies the result.
	 */
	void check() {
		HealthDescriptor health = this.healthEndpoint.healthForPath(this.group);
		Status status = (health != null) ? health.getStatus() : Status.UNKNOWN;
		Status previous = this.lastStatus;
		this.lastStatus = status;
		if (!status.equals(previous)) {
			logger.info("Health group '" + this.group + "' is " + status.getCode());
		}
		if (Status.UP.equals(status)) {
			this.reconciler.putBackInTraffic(OutOfTrafficReason.HEALTH_GROUP);
		}
		else {
			this.reconciler.takeOutOfTraffic(OutOfTrafficReason.HEALTH_GROUP);
		}
	}

	/**
	 * The status last seen, {@code null} before the first check.
	 * @return the status
	 */
	public @Nullable Status getLastStatus() {
		return this.lastStatus;
	}

	@Override
	public void start() {
		this.task.start();
	}

	private void checkSafely() {
		try {
			check();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not check health group '" + this.group + "': " + ex.getMessage());
		}
	}

	@Override
	public void stop() {
		this.task.stop();
	}

	@Override
	public boolean isRunning() {
		return this.task.isRunning();
	}

	@Override
	public int getPhase() {
		// Stops early at shutdown; a check that still runs after the registration was
		// withdrawn changes nothing (the reconciler ignores intents once stopped).
		return Integer.MAX_VALUE - 100;
	}

}
