package dev.nacosboot.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.nacosboot.config.NacosConfigRefreshHistory;
import dev.nacosboot.config.NacosConfigRefreshHistory.Outcome;
import dev.nacosboot.config.NacosConfigRefreshHistory.Refresh;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NacosMetricsTests {

	private final StubHistory history = new StubHistory();

	private final MeterRegistry registry = new SimpleMeterRegistry();

	private final NacosMetrics metrics = new NacosMetrics(null, null, null, null, null, this.history);

	@Test
	void refreshesAreTimedByDataIdAndOutcomeAndFailuresCounted() {
		this.metrics.bindTo(this.registry);
		this.history.add(refresh("orders.yaml", Outcome.APPLIED, 12));
		this.history.add(refresh("orders.yaml", Outcome.INVALID, 3));
		this.history.add(refresh("limits.json", Outcome.ROLLED_BACK, 5));
		this.metrics.sample();
		assertThat(this.registry.get("nacos.config.refresh")
			.tag("data-id", "orders.yaml")
			.tag("outcome", "applied")
			.timer()
			.count()).isEqualTo(1);
		assertThat(this.registry.get("nacos.config.refresh")
			.tag("data-id", "orders.yaml")
			.tag("outcome", "applied")
			.timer()
			.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(12);
		assertThat(this.registry.get("nacos.config.refresh.errors")
			.tag("data-id", "orders.yaml")
			.tag("outcome", "invalid")
			.counter()
			.count()).isEqualTo(1);
		assertThat(this.registry.get("nacos.config.refresh.errors")
			.tag("data-id", "limits.json")
			.tag("outcome", "rolled-back")
			.counter()
			.count()).isEqualTo(1);
	}

	@Test
	void eachRefreshIsRecordedOnceAcrossSamples() {
		this.metrics.bindTo(this.registry);
		this.history.add(refresh("orders.yaml", Outcome.APPLIED, 1));
		this.metrics.sample();
		this.metrics.sample();
		this.history.add(refresh("orders.yaml", Outcome.APPLIED, 1));
		this.metrics.sample();
		assertThat(this.registry.get("nacos.config.refresh").tag("outcome", "applied").timer().count()).isEqualTo(2);
	}

	@Test
	void unboundMetricsRecordNothingAndBindLater() {
		this.history.add(refresh("orders.yaml", Outcome.APPLIED, 1));
		this.metrics.sample();
		this.metrics.bindTo(this.registry);
		assertThat(this.registry.get("nacos.config.refresh").timer().count()).isEqualTo(1);
	}

	private static Refresh refresh(String dataId, Outcome outcome, long millis) {
		return new Refresh("nacos:public/DEFAULT_GROUP/" + dataId, dataId, "DEFAULT_GROUP", "md5", Set.of(),
				Duration.ofMillis(millis), outcome, outcome.isFailure() ? "bad content" : null, Instant.now());
	}

	// The history's recording is the config package's; the metrics only read it.
	static final class StubHistory extends NacosConfigRefreshHistory {

		private final List<Refresh> newestFirst = new ArrayList<>();

		StubHistory() {
			super(10);
		}

		void add(Refresh refresh) {
			this.newestFirst.add(0, refresh);
		}

		@Override
		public synchronized List<Refresh> refreshes() {
			return new ArrayList<>(this.newestFirst);
		}

	}

}
