package dev.nacosboot.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.nacosboot.actuate.NacosConnectionMonitor.State;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NacosConnectionMonitorTests {

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final AtomicBoolean connected = new AtomicBoolean();

	private final NacosConnectionMonitor monitor = new NacosConnectionMonitor(this.connected::get,
			Duration.ofSeconds(30), this.clock);

	@Test
	void connectedClientIsConnectedSinceItWasFirstSeenConnected() {
		this.connected.set(true);
		this.clock.advance(Duration.ofSeconds(2));
		NacosConnectionMonitor.Snapshot state = this.monitor.state();
		assertThat(state.state()).isEqualTo(State.CONNECTED);
		assertThat(state.since()).isEqualTo(this.clock.instant());
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.monitor.state().since()).isEqualTo(state.since());
	}

	@Test
	void clientThatNeverConnectedIsConnectingWithinTheGracePeriodThenDisconnected() {
		assertThat(this.monitor.state().state()).isEqualTo(State.CONNECTING);
		this.clock.advance(Duration.ofSeconds(29));
		assertThat(this.monitor.state().state()).isEqualTo(State.CONNECTING);
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(this.monitor.state().state()).isEqualTo(State.DISCONNECTED);
		assertThat(State.DISCONNECTED.isHealthy()).isFalse();
	}

	@Test
	void shortDisconnectIsReconnectingAndStaysHealthy() {
		this.connected.set(true);
		this.monitor.sample();
		this.clock.advance(Duration.ofMinutes(5));
		this.connected.set(false);
		NacosConnectionMonitor.Snapshot lost = this.monitor.state();
		assertThat(lost.state()).isEqualTo(State.RECONNECTING);
		assertThat(lost.state().isHealthy()).isTrue();
		assertThat(lost.since()).isEqualTo(this.clock.instant());
		this.clock.advance(Duration.ofSeconds(10));
		this.connected.set(true);
		assertThat(this.monitor.state().state()).isEqualTo(State.CONNECTED);
	}

	@Test
	void disconnectLongerThanTheGracePeriodIsDisconnectedAndReconnectRestoresAtOnce() {
		this.connected.set(true);
		this.monitor.sample();
		this.connected.set(false);
		this.monitor.sample();
		Instant lostAt = this.clock.instant();
		this.clock.advance(Duration.ofSeconds(31));
		NacosConnectionMonitor.Snapshot down = this.monitor.state();
		assertThat(down.state()).isEqualTo(State.DISCONNECTED);
		assertThat(down.since()).isEqualTo(lostAt);
		assertThat(down.lastConnected()).isEqualTo(lostAt);
		this.clock.advance(Duration.ofSeconds(1));
		this.connected.set(true);
		NacosConnectionMonitor.Snapshot back = this.monitor.state();
		assertThat(back.state()).isEqualTo(State.CONNECTED);
		assertThat(back.since()).isEqualTo(this.clock.instant());
	}

	@Test
	void clientThatThrowsIsNotConnected() {
		NacosConnectionMonitor broken = new NacosConnectionMonitor(() -> {
			throw new IllegalStateException("shut down");
		}, Duration.ZERO, this.clock);
		assertThat(broken.state().state()).isEqualTo(State.DISCONNECTED);
	}

	static final class MutableClock extends Clock {

		private Instant now;

		MutableClock(Instant now) {
			this.now = now;
		}

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

}
