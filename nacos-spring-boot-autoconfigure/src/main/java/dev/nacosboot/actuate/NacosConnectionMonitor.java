package dev.nacosboot.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Follows the connection of one Nacos client from its own, local state (the client's
 * {@code getServerStatus()}, which reads a flag and never calls the server) and remembers
 * since when it is in that state. A connection lost for less than the grace period is
 * {@link State#RECONNECTING}; only after it is {@link State#DISCONNECTED}, so a short
 * disconnect never flaps the health to DOWN.
 * <p>
 * Sampled by {@link NacosStateSampling} at a fixed interval and on every health check.
 * Thread-safe.
 */
public class NacosConnectionMonitor implements NacosStateSampler {

	private final BooleanSupplier connected;

	private final Duration gracePeriod;

	private final Clock clock;

	private @Nullable Boolean up;

	private Instant since;

	private @Nullable Instant lastConnected;

	/**
	 * Creates a monitor.
	 * @param connected whether the client is connected now; must not block
	 * @param gracePeriod how long a lost connection is RECONNECTING before it is
	 * DISCONNECTED
	 * @param clock the time source
	 */
	public NacosConnectionMonitor(BooleanSupplier connected, Duration gracePeriod, Clock clock) {
		this.connected = connected;
		this.gracePeriod = gracePeriod;
		this.clock = clock;
		this.since = clock.instant();
	}

	@Override
	public void sample() {
		state();
	}

	/**
	 * Samples the connection now.
	 * @return the current state and since when it holds
	 */
	public synchronized Snapshot state() {
		Instant now = this.clock.instant();
		boolean isUp = isConnected();
		if (this.up == null) {
			// The start of the monitor stands for the start of the first connection
			// attempt.
			this.up = isUp;
			if (isUp) {
				this.since = now;
			}
		}
		else if (this.up != isUp) {
			this.up = isUp;
			this.since = now;
		}
		if (isUp) {
			this.lastConnected = now;
			return new Snapshot(State.CONNECTED, this.since, this.lastConnected);
		}
		boolean withinGrace = Duration.between(this.since, now).compareTo(this.gracePeriod) < 0;
		State state = (!withinGrace) ? State.DISCONNECTED
				: (this.lastConnected != null) ? State.RECONNECTING : State.CONNECTING;
		return new Snapshot(state, this.since, this.lastConnected);
	}

	private boolean isConnected() {
		try {
			return this.connected.getAsBoolean();
		}
		catch (RuntimeException ex) {
			// A client that is shut down or broken is not connected.
			return false;
		}
	}

	/**
	 * Connection state.
	 */
	public enum State {

		/** Connected to a server. */
		CONNECTED,

		/** Never connected yet, for less than the grace period. */
		CONNECTING,

		/** Connection lost for less than the grace period; the client is reconnecting. */
		RECONNECTING,

		/** Not connected for longer than the grace period. */
		DISCONNECTED;

		/** Whether the health reports UP in this state. */
		public boolean isHealthy() {
			return this != DISCONNECTED;
		}

	}

	/**
	 * The state of a connection.
	 *
	 * @param state the state
	 * @param since when the client entered the connected or not-connected condition
	 * @param lastConnected when the client was last seen connected, {@code null} if never
	 */
	public record Snapshot(State state, Instant since, @Nullable Instant lastConnected) {
	}

}
