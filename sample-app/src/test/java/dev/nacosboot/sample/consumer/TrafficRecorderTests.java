package dev.nacosboot.sample.consumer;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import dev.nacosboot.sample.consumer.TrafficRecorder.SecondCounts;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TrafficRecorderTests {

	private Instant now = Instant.ofEpochSecond(1_000_000);

	private final TrafficRecorder recorder = new TrafficRecorder(new Clock() {

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
			return TrafficRecorderTests.this.now;
		}

	});

	@Test
	void lastSecondsCountsEachCompletedSecondByVersionAndFailure() {
		this.recorder.recordAnswer("v1", "10.0.0.1:8091");
		this.recorder.recordAnswer("v1", "10.0.0.1:8091");
		this.recorder.recordAnswer("v2", "10.0.0.1:8092");
		tick(1);
		this.recorder.recordFailure("no-instance");
		tick(1);
		List<SecondCounts> seconds = this.recorder.lastSeconds(3);
		assertThat(seconds).extracting(SecondCounts::byOutcome)
			.containsExactly(Map.of(), Map.of("v1", 2L, "v2", 1L), Map.of("no-instance", 1L));
	}

	@Test
	void lastSecondsLeavesOutTheRunningSecond() {
		this.recorder.recordAnswer("v1", "10.0.0.1:8091");
		assertThat(this.recorder.lastSeconds(1)).extracting(SecondCounts::byOutcome).containsExactly(Map.of());
	}

	@Test
	void byInstanceSumsAnsweredCallsOverTheWindow() {
		this.recorder.recordAnswer("v1", "10.0.0.1:8091");
		tick(1);
		this.recorder.recordAnswer("v1", "10.0.0.1:8091");
		this.recorder.recordAnswer("v2", "10.0.0.1:8092");
		this.recorder.recordFailure("error");
		tick(1);
		assertThat(this.recorder.byInstance(2)).containsExactly(Map.entry("10.0.0.1:8091", 2L),
				Map.entry("10.0.0.1:8092", 1L));
		assertThat(this.recorder.byInstance(1)).containsOnlyKeys("10.0.0.1:8091", "10.0.0.1:8092");
	}

	@Test
	void secondsOlderThanTheRetentionAreDropped() {
		this.recorder.recordAnswer("v1", "10.0.0.1:8091");
		tick(TrafficRecorder.RETAINED_SECONDS + 1);
		this.recorder.recordAnswer("v2", "10.0.0.1:8092");
		tick(1);
		assertThat(this.recorder.byInstance(TrafficRecorder.RETAINED_SECONDS + 2)).containsOnlyKeys("10.0.0.1:8092");
	}

	private void tick(int seconds) {
		this.now = this.now.plusSeconds(seconds);
	}

}
