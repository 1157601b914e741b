package dev.nacosboot.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class NacosConnectionStateTests {

	private final AtomicBoolean connected = new AtomicBoolean();

	private Instant now = Instant.parse("2026-01-01T00:00:00Z");

	private final Clock clock = new Clock() {

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return NacosConnectionStateTests.this.now;
		}

	};

	@Test
	void notYetConnectedCountsFromCreationAndIsNoLostConnection() {
		NacosConnectionState state = new NacosConnectionState(this.connected::get, this.clock, null, Duration.ZERO);
		Instant created = this.now;
		this.now = this.now.plusSeconds(5);

		NacosConnectionState.Observation observed = state.observe();

		assertThat(observed.connected()).isFalse();
		assertThat(observed.since()).isEqualTo(created);
		assertThat(observed.lastConnected()).isNull();
		assertThat(observed.lastDisconnected()).isNull();
	}

	@Test
	void lostConnectionIsRecordedWithItsTime() {
		NacosConnectionState state = new NacosConnectionState(this.connected::get, this.clock, null, Duration.ZERO);
		this.connected.set(true);
		assertThat(state.isConnected()).isTrue();
		Instant up = this.now;

		this.now = this.now.plusSeconds(1);
		this.connected.set(false);
		NacosConnectionState.Observation lost = state.observe();
		this.now = this.now.plusSeconds(1);
		this.connected.set(true);
		NacosConnectionState.Observation back = state.observe();

		assertThat(lost.since()).isEqualTo(up.plusSeconds(1));
		assertThat(lost.lastConnected()).isEqualTo(up);
		assertThat(back.connected()).isTrue();
		assertThat(back.since()).isEqualTo(up.plusSeconds(2));
		assertThat(back.lastDisconnected()).isEqualTo(up.plusSeconds(1));
	}

	@Test
	void brokenCheckIsNotConnected() {
		NacosConnectionState state = new NacosConnectionState(() -> {
			throw new IllegalStateException("client shut down");
		}, this.clock, null, Duration.ZERO);
		assertThat(state.isConnected()).isFalse();
	}

	@Test
	void whileRunningItIsSampledWithoutReads() {
		ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
		scheduler.initialize();
		AtomicBoolean sampled = new AtomicBoolean();
		NacosConnectionState state = new NacosConnectionState(() -> {
			sampled.set(true);
			return true;
		}, Clock.systemUTC(), scheduler, Duration.ofMillis(10));
		try {
			state.start();
			assertThat(state.isRunning()).isTrue();
			await().atMost(Duration.ofSeconds(10)).untilTrue(sampled);
			state.stop();
			assertThat(state.isRunning()).isFalse();
		}
		finally {
			scheduler.shutdown();
		}
	}

}
