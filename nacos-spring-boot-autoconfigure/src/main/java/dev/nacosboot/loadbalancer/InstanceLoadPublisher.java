package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

/**
 * Publishes this application's smoothed load into the metadata of its own Nacos instance,
 * where every consumer's balancer turns it into a lower weight. Write rate is bounded:
 * the load is sampled every sample interval into a moving average, and an update is
 * written only when the average moved by at least the minimum change since the last
 * published value and the minimum update interval has passed since the last update (and
 * since start) - so at most one update per interval, and none while the load is steady.
 */
public class InstanceLoadPublisher implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(InstanceLoadPublisher.class);

	/** Longest value written: the load between 0 and 1 with two decimals, "1.00". */
	static final int MAX_VALUE_LENGTH = 4;

	private final InstanceLoadSignal signal;

	private final LoadMetadataWriter writer;

	private final NacosLoadBalancerProperties.LoadPublishing settings;

	private final LongSupplier clock;

	private double smoothed = Double.NaN;

	private double published = Double.NaN;

	private long lastSample;

	private long lastUpdate;

	private volatile long updates;

	private final @Nullable TaskScheduler scheduler;

	private volatile @Nullable ScheduledFuture<?> sampling;

	InstanceLoadPublisher(InstanceLoadSignal signal, LoadMetadataWriter writer,
			NacosLoadBalancerProperties.LoadPublishing settings, LongSupplier clock) {
		this(signal, writer, settings, clock, null);
	}

	InstanceLoadPublisher(InstanceLoadSignal signal, LoadMetadataWriter writer,
			NacosLoadBalancerProperties.LoadPublishing settings, LongSupplier clock,
			@Nullable TaskScheduler scheduler) {
		this.scheduler = scheduler;
		this.signal = signal;
		this.writer = writer;
		this.settings = settings;
		this.clock = clock;
		this.lastUpdate = clock.getAsLong();
	}

	/**
	 * Samples the load and writes an update when it moved enough and the interval allows.
	 */
	synchronized void sample() {
		long now = this.clock.getAsLong();
		double load = this.signal.currentLoad();
		if (Double.isNaN(load)) {
			return;
		}
		load = Math.min(Math.max(load, 0), 1);
		if (Double.isNaN(this.smoothed)) {
			this.smoothed = load;
		}
		else {
			double alpha = 1 - Math.exp(-(double) (now - this.lastSample) / this.settings.getSmoothing().toNanos());
			this.smoothed += alpha * (load - this.smoothed);
		}
		this.lastSample = now;
		// Nothing published yet counts as 0: an idle instance never writes.
		double reference = Double.isNaN(this.published) ? 0 : this.published;
		if (Math.abs(this.smoothed - reference) < this.settings.getMinChange()
				|| now - this.lastUpdate < this.settings.getMinUpdateInterval().toNanos()) {
			return;
		}
		String value = String.format(Locale.ROOT, "%.2f", this.smoothed);
		if (this.writer.write(value)) {
			this.published = this.smoothed;
			this.lastUpdate = now;
			this.updates++;
		}
	}

	/**
	 * Updates written to Nacos so far.
	 * @return the count
	 */
	public long getUpdateCount() {
		return this.updates;
	}

	@Override
	public synchronized void start() {
		if (this.scheduler == null || this.sampling != null) {
			return;
		}
		Duration interval = this.settings.getSampleInterval();
		this.sampling = this.scheduler.scheduleWithFixedDelay(() -> {
			try {
				sample();
			}
			catch (RuntimeException ex) {
				logger.debug("Could not publish the load", ex);
			}
		}, Instant.now().plus(interval), interval);
	}

	@Override
	public synchronized void stop() {
		ScheduledFuture<?> sampling = this.sampling;
		if (sampling != null) {
			sampling.cancel(false);
			this.sampling = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.sampling != null;
	}

	/**
	 * Writes the load into this instance's metadata.
	 */
	@FunctionalInterface
	interface LoadMetadataWriter {

		/**
		 * Writes the value.
		 * @param value the load, formatted
		 * @return whether it was written (the instance is registered and the server took
		 * it)
		 */
		boolean write(String value);

	}

}
