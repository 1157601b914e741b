package dev.nacosboot.actuate;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * The periodic background work of one bean of this package: one daemon thread, run at a
 * fixed delay (at least 10 ms) while started, and nothing left queued once stopped. Start
 * and stop are idempotent, for the beans' {@code SmartLifecycle} methods to delegate to.
 */
final class FixedDelayTask {

	private final String threadName;

	private final Duration interval;

	private final Runnable task;

	private @Nullable ScheduledExecutorService executor;

	FixedDelayTask(String threadName, Duration interval, Runnable task) {
		this.threadName = threadName;
		this.interval = interval;
		this.task = task;
	}

	synchronized void start() {
		if (this.executor != null) {
			return;
		}
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, this.threadName);
			thread.setDaemon(true);
			return thread;
		});
		executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		executor.scheduleWithFixedDelay(this.task, 0, Math.max(10, this.interval.toMillis()), TimeUnit.MILLISECONDS);
		this.executor = executor;
	}

	synchronized void stop() {
		if (this.executor != null) {
			this.executor.shutdownNow();
			this.executor = null;
		}
	}

	synchronized boolean isRunning() {
		return this.executor != null;
	}

}
