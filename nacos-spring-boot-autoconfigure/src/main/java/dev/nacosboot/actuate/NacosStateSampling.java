package dev.nacosboot.actuate;

import java.time.Duration;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

/**
 * Runs every {@link NacosStateSampler} of the context on one daemon thread at a fixed
 * interval, from start to stop of the context, so that connection changes and pushes are
 * seen with a known delay even when nobody asks.
 */
class NacosStateSampling implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(NacosStateSampling.class);

	private final List<NacosStateSampler> samplers;

	private final FixedDelayTask task;

	public NacosStateSampling(List<NacosStateSampler> samplers, Duration interval, TaskScheduler scheduler) {
		this.samplers = List.copyOf(samplers);
		this.task = new FixedDelayTask(scheduler, interval, this::sampleAll);
	}

	@Override
	public void start() {
		this.task.start();
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
	public void stop() {
		this.task.stop();
	}

	@Override
	public boolean isRunning() {
		return this.task.isRunning();
	}

}
