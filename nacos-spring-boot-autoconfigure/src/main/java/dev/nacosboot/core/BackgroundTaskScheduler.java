package dev.nacosboot.core;

import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;

import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The scheduler of the starter's background work (registration, refresh, polling,
 * probes). It keeps accepting work while the context closes, so that shutdown steps
 * submitted then still run; when it is destroyed (after the beans that use it) it
 * finishes what is due now and drops what is delayed or periodic, waiting a bounded time.
 */
final class BackgroundTaskScheduler extends ThreadPoolTaskScheduler {

	private static final int POOL_SIZE = 2;

	private static final long SHUTDOWN_WAIT_MILLIS = 5_000;

	BackgroundTaskScheduler(boolean virtualThreads) {
		setPoolSize(POOL_SIZE);
		setThreadNamePrefix("nacos-");
		setDaemon(true);
		setRemoveOnCancelPolicy(true);
		setAcceptTasksAfterContextClose(true);
		setWaitForTasksToCompleteOnShutdown(true);
		setAwaitTerminationMillis(SHUTDOWN_WAIT_MILLIS);
		if (virtualThreads) {
			setThreadFactory(new VirtualThreadTaskExecutor("nacos-").getVirtualThreadFactory());
		}
	}

	@Override
	protected ScheduledExecutorService createExecutor(int poolSize, ThreadFactory threadFactory,
			RejectedExecutionHandler rejectedExecutionHandler) {
		ScheduledExecutorService executor = super.createExecutor(poolSize, threadFactory, rejectedExecutionHandler);
		if (executor instanceof ScheduledThreadPoolExecutor pool) {
			pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		}
		return executor;
	}

}
