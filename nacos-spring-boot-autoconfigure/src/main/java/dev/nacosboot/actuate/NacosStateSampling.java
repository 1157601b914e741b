package dev.nacosboot.actuate;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Runs every {@link NacosStateSampler} of the context on one daemon thread at a fixed interval, from start to stop
 * of the context, so that connection changes and pushes are seen with a known delay even when nobody asks.
 */
public class NacosStateSampling implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(NacosStateSampling.class);

	private final List<NacosStateSampler> samplers;

	private final Duration interval;

	private @Nullable ScheduledExecutorService executor;

	public NacosStateSampling(List<NacosStateSampler> samplers, Duration interval) {
		this.samplers = List.copyOf(samplers);
		this.interval = interval;
	}

	@Override
	public synchronized void start() {
		if (this.executor != null) {
			return;
		}
		this.executor = FixedDelayTask.start("nacos-state-sampling", this.interval, this::sampleAll);
	}

	void sampleAll() {
		for (NacosStateSampler sampler : this.samplers) {
			try {
				sampler.sample();
			}
			catch (RuntimeException ex) {
				logger.debug("Sampling Nacos client state failed: " + ex.getMessage(), ex);
			}
		}
	}

	@Override
	public synchronized void stop() {
		if (this.executor != null) {
			this.executor.shutdownNow();
			this.executor = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.executor != null;
	}

}
