package dev.nacosboot.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

import dev.nacosboot.core.NacosConnectionState;
import org.jspecify.annotations.Nullable;

/**
 * The health view of one Nacos client's connection ({@link NacosConnectionState}): a
 * connection lost for less than the grace period is {@link State#RECONNECTING}; only
 * after it is {@link State#DISCONNECTED}, so a short disconnect never flaps the health to
 * DOWN.
 * <p>
 * The naming client's connection is discovery's {@code NamingConnectionState}, which
 * samples itself; a monitor made from a plain check owns its state and is sampled by
 * {@link NacosStateSampling}. Every read samples as well. Thread-safe.
 */
public class NacosConnectionMonitor implements NacosStateSampler {

	private final NacosConnectionState connection;

	private final boolean ownsConnectionState;

	private final Duration gracePeriod;

	private final Clock clock;

	/**
	 * Creates a monitor of a connection that is followed elsewhere.
	 * @param connection the connection
	 * @param gracePeriod how long a lost connection is RECONNECTING before it is
	 * DISCONNECTED
	 * @param clock the time source
	 */
	public NacosConnectionMonitor(NacosConnectionState connection, Duration gracePeriod, Clock clock) {
		this(connection, false, gracePeriod, clock);
	}

	/**
	 * Creates a monitor that follows a connection itself.
	 * @param connected whether the client is connected now; must not block
	 * @param gracePeriod how long a lost connection is RECONNECTING before it is
	 * DISCONNECTED
	 * @param clock the time source
	 */
	public NacosConnectionMonitor(BooleanSupplier connected, Duration gracePeriod, Clock clock) {
		this(new NacosConnectionState(connected, clock, null, Duration.ZERO), true, gracePeriod, clock);
	}

	private NacosConnectionMonitor(NacosConnectionState connection, boolean ownsConnectionState, Duration gracePeriod,
			Clock clock) {
		this.connection = connection;
		this.ownsConnectionState = ownsConnectionState;
		this.gracePeriod = gracePeriod;
		this.clock = clock;
	}

	@Override
	public void sample() {
		if (this.ownsConnectionState) {
			this.connection.observe();
		}
	}

	/**
	 * Samples the connection now.
	 * @return the current state and since when it holds
	 */
	public Snapshot state() {
		NacosConnectionState.Observation observed = this.connection.observe();
		if (observed.connected()) {
			return new Snapshot(State.CONNECTED, observed.since(), observed.lastConnected());
		}
		boolean withinGrace = Duration.between(observed.since(), this.clock.instant()).compareTo(this.gracePeriod) < 0;
		State state = (!withinGrace) ? State.DISCONNECTED
				: (observed.lastConnected() != null) ? State.RECONNECTING : State.CONNECTING;
		return new Snapshot(state, observed.since(), observed.lastConnected());
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
