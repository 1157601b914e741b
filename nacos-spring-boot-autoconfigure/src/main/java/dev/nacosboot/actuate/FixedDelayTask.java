package dev.nacosboot.actuate;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;

/**
 * The periodic background work of one bean of this package, on the starter's scheduler:
 * run at a fixed delay (at least 10 ms) while started, and not again once stopped. Start
 * and stop are idempotent, for the beans' {@code SmartLifecycle} methods to delegate to.
 */
final class FixedDelayTask {

	private final TaskScheduler scheduler;

	private final Duration interval;

	private final Runnable task;

	private @Nullable ScheduledFuture<?> scheduled;

	FixedDelayTask(TaskScheduler scheduler, Duration interval, Runnable task) {
		this.scheduler = scheduler;
		this.interval = (interval.toMillis() < 10) ? Duration.ofMillis(10) : interval;
		this.task = task;
	}

	synchronized void start() {
		if (this.scheduled == null) {
			this.scheduled = this.scheduler.scheduleWithFixedDelay(this.task, this.interval);
		}
	}

	synchronized void stop() {
		if (this.scheduled != null) {
			this.scheduled.cancel(false);
			this.scheduled = null;
		}
	}

	synchronized boolean isRunning() {
		return this.scheduled != null;
	}

}
