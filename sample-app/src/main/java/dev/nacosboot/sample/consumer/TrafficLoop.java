package dev.nacosboot.sample.consumer;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Background calls to greeting-service at {@code sample.traffic.calls-per-second}, each
 * as a random user, so that the page's chart shows how the rules split real traffic.
 * Reads the rate on every tick: a config change applies at once.
 */
public class TrafficLoop implements SmartLifecycle {

	private static final long TICK_MILLIS = 100;

	private static final double MAX_CALLS_PER_SECOND = 100;

	private final GreetingClient client;

	private final TrafficProperties properties;

	private @Nullable ScheduledExecutorService executor;

	private double credit;

	public TrafficLoop(GreetingClient client, TrafficProperties properties) {
		this.client = client;
		this.properties = properties;
	}

	@Override
	public synchronized void start() {
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "greeting-traffic");
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
		this.executor = executor;
	}

	private void tick() {
		double rate = Math.max(0, Math.min(MAX_CALLS_PER_SECOND, this.properties.getCallsPerSecond()));
		// A slow tick must not turn into a burst: never owe more than one tick's calls.
		this.credit = Math.min(this.credit + rate * TICK_MILLIS / 1000.0, Math.max(1, rate * TICK_MILLIS / 1000.0));
		int users = Math.max(1, this.properties.getUsers());
		while (this.credit >= 1 && !Thread.currentThread().isInterrupted()) {
			this.credit--;
			this.client.call(null, "user-" + ThreadLocalRandom.current().nextInt(users));
		}
	}

	@Override
	public synchronized void stop() {
		ScheduledExecutorService executor = this.executor;
		if (executor != null) {
			executor.shutdownNow();
			try {
				executor.awaitTermination(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.executor = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.executor != null;
	}

}
