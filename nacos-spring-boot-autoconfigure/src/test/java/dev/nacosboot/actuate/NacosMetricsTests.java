package dev.nacosboot.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

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
	void everyRefreshOfABurstIsRecordedThoughTheHistoryKeepsOnlyTheLast() {
		this.metrics.bindTo(this.registry);
		for (int i = 0; i < 25; i++) {
			this.history.add(refresh("orders.yaml", Outcome.APPLIED, 1));
		}
		this.metrics.sample();
		this.metrics.sample();
		assertThat(this.history.refreshes()).hasSize(StubHistory.SIZE);
		assertThat(this.registry.get("nacos.config.refresh").tag("outcome", "applied").timer().count()).isEqualTo(25);
	}

	@Test
	void aRegistryBoundLaterGetsTheRememberedRefreshesOnce() {
		this.history.add(refresh("orders.yaml", Outcome.APPLIED, 1));
		this.metrics.bindTo(this.registry);
		this.metrics.sample();
		assertThat(this.registry.get("nacos.config.refresh").timer().count()).isEqualTo(1);
		this.history.add(refresh("orders.yaml", Outcome.APPLIED, 1));
		assertThat(this.registry.get("nacos.config.refresh").timer().count()).isEqualTo(2);
	}

	private static Refresh refresh(String dataId, Outcome outcome, long millis) {
		return new Refresh("nacos:public/DEFAULT_GROUP/" + dataId, dataId, "DEFAULT_GROUP", "md5", Set.of(),
				Duration.ofMillis(millis), outcome, outcome.isFailure() ? "bad content" : null, Instant.now());
	}

	// The history's recording is the config package's; this stub records as it does,
	// listeners included.
	static final class StubHistory extends NacosConfigRefreshHistory {

		static final int SIZE = 10;

		private final List<Refresh> newestFirst = new ArrayList<>();

		private final List<Consumer<Refresh>> listeners = new ArrayList<>();

		StubHistory() {
			super(SIZE);
		}

		void add(Refresh refresh) {
			this.newestFirst.add(0, refresh);
			if (this.newestFirst.size() > SIZE) {
				this.newestFirst.remove(SIZE);
			}
			this.listeners.forEach((listener) -> listener.accept(refresh));
		}

		@Override
		public void onRecord(Consumer<Refresh> listener) {
			this.listeners.add(listener);
		}

		@Override
		public synchronized List<Refresh> refreshes() {
			return new ArrayList<>(this.newestFirst);
		}

	}

}
