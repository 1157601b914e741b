package dev.nacosboot.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

/**
 * Whether one Nacos client is connected, and since when, from a check of the client's own
 * state that never calls the server. Each read samples the check; with a scheduler it is
 * also sampled at a fixed interval while running, so that a short outage is seen even
 * when nobody asks. The one record of a client's connection: discovery and the health
 * indicators read the same one. Thread-safe.
 */
public class NacosConnectionState implements SmartLifecycle {

	private final BooleanSupplier connected;

	private final Clock clock;

	private final @Nullable TaskScheduler scheduler;

	private final Duration sampleInterval;

	private final Instant created;

	private @Nullable Boolean up;

	private Instant since;

	private @Nullable Instant lastConnected;

	private @Nullable Instant lastDisconnected;

	private @Nullable ScheduledFuture<?> sampling;

	/**
	 * Creates the state.
	 * @param connected whether the client is connected now; must not block or call the
	 * server
	 * @param clock the time source
	 * @param scheduler samples at {@code sampleInterval} while running; {@code null}
	 * samples on reads only
	 * @param sampleInterval the interval of the sampling
	 */
	public NacosConnectionState(BooleanSupplier connected, Clock clock, @Nullable TaskScheduler scheduler,
			Duration sampleInterval) {
		this.connected = connected;
		this.clock = clock;
		this.scheduler = scheduler;
		this.sampleInterval = sampleInterval;
		this.created = clock.instant();
		this.since = this.created;
	}

	/**
	 * Samples the client now.
	 * @return whether it is connected, and since when
	 */
	public synchronized Observation observe() {
		Instant now = this.clock.instant();
		boolean isUp = isClientConnected();
		if (this.up == null) {
			// Created with the client: its start is the start of the first connection
			// attempt.
			this.since = isUp ? now : this.created;
		}
		else if (this.up != isUp) {
			this.since = now;
		}
		this.up = isUp;
		if (isUp) {
			this.lastConnected = now;
		}
		else if (this.lastConnected != null) {
			this.lastDisconnected = now;
		}
		return new Observation(isUp, this.since, this.lastConnected, this.lastDisconnected);
	}

	/**
	 * Whether the client is connected now.
	 * @return whether it is
	 */
	public boolean isConnected() {
		return observe().connected();
	}

	private boolean isClientConnected() {
		try {
			return this.connected.getAsBoolean();
		}
		catch (RuntimeException ex) {
			// A client that is shut down or broken is not connected.
			return false;
		}
	}

	@Override
	public synchronized void start() {
		if (this.scheduler != null && this.sampling == null) {
			this.sampling = this.scheduler.scheduleWithFixedDelay(this::observe, this.sampleInterval);
		}
	}

	@Override
	public synchronized void stop() {
		if (this.sampling != null) {
			this.sampling.cancel(false);
			this.sampling = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.sampling != null;
	}

	/**
	 * What a sample saw.
	 *
	 * @param connected whether the client is connected
	 * @param since when it entered the connected or not-connected condition
	 * @param lastConnected when it was last seen connected, {@code null} if never
	 * @param lastDisconnected when it was last seen without the connection it had had,
	 * {@code null} if it never lost one
	 */
	public record Observation(boolean connected, Instant since, @Nullable Instant lastConnected,
			@Nullable Instant lastDisconnected) {
	}

}
