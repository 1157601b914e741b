package dev.nacosboot.actuate;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Starts the periodic background work of this package: one daemon thread per task, run at a fixed delay (at least
 * 10 ms), and nothing left queued once shut down.
 */
final class FixedDelayTask {

	private FixedDelayTask() {
	}

	static ScheduledExecutorService start(String threadName, Duration interval, Runnable task) {
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, threadName);
			thread.setDaemon(true);
			return thread;
		});
		executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		executor.scheduleWithFixedDelay(task, 0, Math.max(10, interval.toMillis()), TimeUnit.MILLISECONDS);
		return executor;
	}

}
