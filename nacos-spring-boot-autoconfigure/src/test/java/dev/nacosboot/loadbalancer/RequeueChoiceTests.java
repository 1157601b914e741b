package dev.nacosboot.loadbalancer;

import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.ServiceInstance;

import static dev.nacosboot.loadbalancer.TestInstances.instance;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A requeue's choice among the instances left: each strategy keeps its meaning on them.
 */
class RequeueChoiceTests {

	private static final int DRAWS = 50_000;

	private final RandomGenerator random = new SplittableRandom(20261204L);

	private final ServiceInstance a = instance("a").weight(1).build();

	private final ServiceInstance b = instance("b").weight(2).build();

	private final ServiceInstance c = instance("c").weight(3).build();

	private final WeightedInstances pool = WeightedInstances.of(List.of(this.a, this.b, this.c),
			GrayRoutingTable::weightOf);

	@Test
	void weightedChoiceShouldFollowTheWeightsOfTheInstancesLeft() {
		Draws draws = new Draws();
		for (int i = 0; i < DRAWS; i++) {
			draws.add(this.pool.pickExcluding(LoadBalancingStrategy.WEIGHTED, this.random, this.a::equals, 0)
				.getInstanceId());
		}
		assertThat(draws.count("a")).isZero();
		draws.assertShare("b", 2.0 / 5, "weights 2 and 3 left");
	}

	@Test
	void roundRobinShouldTakeTheInstancesLeftInTurn() {
		Draws draws = new Draws();
		for (int i = 0; i < 1000; i++) {
			draws.add(this.pool.pickExcluding(LoadBalancingStrategy.ROUND_ROBIN, this.random, this.b::equals, 0)
				.getInstanceId());
		}
		assertThat(draws.count("b")).isZero();
		assertThat(draws.count("a")).isEqualTo(500);
		assertThat(draws.count("c")).isEqualTo(500);
	}

	@Test
	void leastLatencyShouldPreferTheFasterOfTheInstancesLeft() {
		InstanceStatsRegistry registry = new InstanceStatsRegistry(
				OutlierSettings.of(new NacosLoadBalancerProperties()), () -> 1_000_000_000L);
		measured(registry.statsOf(this.a), 1_000_000);
		measured(registry.statsOf(this.b), 50_000_000);
		measured(registry.statsOf(this.c), 1_000_000);
		WeightedInstances withStats = WeightedInstances.of(List.of(this.a, this.b, this.c), GrayRoutingTable::weightOf,
				registry::statsOf);
		for (int i = 0; i < 1000; i++) {
			// a, the other fast one, is excluded: of b and c, c always wins.
			assertThat(withStats.pickExcluding(LoadBalancingStrategy.LEAST_LATENCY, this.random, this.a::equals,
					1_000_000_000L))
				.isSameAs(this.c);
		}
	}

	private static void measured(InstanceStats stats, long latencyNanos) {
		// The first call to an instance is its warm-up, not counted.
		stats.latency(latencyNanos, 1_000_000_000L);
		stats.latency(latencyNanos, 1_000_000_000L);
	}

	@Test
	void everyInstanceExcludedShouldGiveNone() {
		assertThat(this.pool.pickExcluding(LoadBalancingStrategy.LEAST_LATENCY, this.random, (instance) -> true, 0))
			.isNull();
	}

}
