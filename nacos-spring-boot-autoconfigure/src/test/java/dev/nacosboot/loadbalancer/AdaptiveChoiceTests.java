package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;

import static dev.nacosboot.loadbalancer.TestInstances.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Load-aware weights, the least-latency (power of two choices) and round-robin
 * strategies, with fixed figures and seeded draws.
 */
class AdaptiveChoiceTests {

	private static final int DRAWS = 60_000;

	private final RandomGenerator random = new SplittableRandom(424242L);

	private final AtomicLong clock = new AtomicLong(5_000_000_000L);

	private final NacosLoadBalancerProperties properties = new NacosLoadBalancerProperties();

	@Test
	void loadFactorShouldFollowTheDocumentedTable() {
		assertThat(LoadWeightFactor.of(0, 0.2)).isEqualTo(1);
		assertThat(LoadWeightFactor.of(0.30, 0.2)).isEqualTo(1);
		assertThat(LoadWeightFactor.of(0.75, 0.2)).isCloseTo(0.6, within(1e-9));
		assertThat(LoadWeightFactor.of(1.0, 0.2)).isCloseTo(0.2, within(1e-9));
		assertThat(LoadWeightFactor.of(3.0, 0.2)).isCloseTo(0.2, within(1e-9));
		double previous = 1;
		for (int percent = 0; percent <= 100; percent++) {
			double factor = LoadWeightFactor.of(percent / 100.0, 0.2);
			System.out.printf(((percent % 10 == 0) ? "load %d%% -> %.3f%n" : ""), percent, factor);
			assertThat(factor).isLessThanOrEqualTo(previous).isGreaterThanOrEqualTo(0.2);
			previous = factor;
		}
		assertThat(LoadWeightFactor.ofMetadata("not a number", 0.2)).isEqualTo(1);
		assertThat(LoadWeightFactor.ofMetadata(null, 0.2)).isEqualTo(1);
	}

	@Test
	void publishedLoadShouldLowerTheShareOfAnInstance() {
		GrayRoutingTable table = GrayRoutingTable.build("orders",
				List.of(loaded("hot", "0.75"), instance("cool").build()), GrayRules.of(this.properties), null);
		draw(table).assertShare("hot", 0.6 / 1.6, "75 % load keeps 60 % of the weight");
	}

	@Test
	void publishedLoadShouldNotCountWhenLoadAwarenessIsOff() {
		this.properties.getLoadAware().setEnabled(false);
		GrayRoutingTable table = GrayRoutingTable.build("orders",
				List.of(loaded("hot", "0.95"), instance("cool").build()), GrayRules.of(this.properties), null);
		draw(table).assertShare("hot", 0.5, "load ignored");
	}

	@Test
	void leastLatencyShouldPickTheCheaperOfTwoWeightedCandidates() {
		this.properties.setStrategy(LoadBalancingStrategy.LEAST_LATENCY);
		InstanceStatsRegistry registry = new InstanceStatsRegistry(OutlierSettings.of(this.properties),
				this.clock::get);
		ServiceInstance a = instance("i1").build();
		ServiceInstance b = instance("i2").build();
		ServiceInstance c = instance("i3").build();
		measured(registry.statsOf(a), 10_000_000);
		measured(registry.statsOf(b), 10_000_000);
		measured(registry.statsOf(c), 60_000_000);
		for (int i = 0; i < 10; i++) {
			registry.statsOf(a).callStarted(this.clock.get());
		}
		// Costs: a 10 ms x 11 in flight = 110, b 10 x 1 = 10, c 60 x 1 = 60. Pairs {a,b}
		// -> b, {a,c} -> c, {b,c} -> b.
		GrayRoutingTable table = GrayRoutingTable.build("orders", List.of(a, b, c), GrayRules.of(this.properties), null,
				registry);
		Draws draws = draw(table);
		assertThat(draws.count("i1")).isZero();
		draws.assertShare("i2", 2.0 / 3, "cheapest wins both its pairs");
		draws.assertShare("i3", 1.0 / 3, "middle wins against the busy one");
	}

	@Test
	void latencyAverageShouldDecayWhileAnInstanceIsIdle() {
		InstanceStatsRegistry registry = new InstanceStatsRegistry(OutlierSettings.of(this.properties),
				this.clock::get);
		InstanceStats stats = registry.statsOf(instance("i1").build());
		measured(stats, 50_000_000);
		assertThat(stats.latencyAt(this.clock.get())).isEqualTo(50_000_000);
		// A slower call is taken at once (peak), faster ones pull the average down with
		// the decay time.
		stats.latency(80_000_000, this.clock.get());
		assertThat(stats.latencyAt(this.clock.get())).isEqualTo(80_000_000);
		long tenSeconds = Duration.ofSeconds(10).toNanos();
		assertThat(stats.latencyAt(this.clock.get() + tenSeconds)).isCloseTo(80_000_000 / Math.E, within(1.0));
		this.clock.addAndGet(tenSeconds);
		stats.latency(10_000_000, this.clock.get());
		assertThat(stats.latencyAt(this.clock.get())).isCloseTo(80_000_000 / Math.E + 10_000_000 * (1 - 1 / Math.E),
				within(1.0));
	}

	@Test
	void aBusyInstanceShouldForgetASpikeWithinCallsNotOnlyWithTime() {
		InstanceStatsRegistry registry = new InstanceStatsRegistry(OutlierSettings.of(this.properties),
				this.clock::get);
		InstanceStats stats = registry.statsOf(instance("i1").build());
		measured(stats, 300_000);
		stats.latency(80_000_000, this.clock.get());
		// 50 calls of 0.3 ms within 50 ms: time alone (decay 10 s) would keep ~79.6 ms.
		for (int i = 0; i < 50; i++) {
			this.clock.addAndGet(1_000_000);
			stats.latency(300_000, this.clock.get());
		}
		double expected = 300_000 + (80_000_000 - 300_000) * Math.pow(0.9, 50);
		assertThat(stats.latencyAt(this.clock.get())).isCloseTo(expected, within(expected * 0.01)).isLessThan(800_000);
	}

	@Test
	void anUnmeasuredInstanceShouldTakeOneCallAtATime() {
		InstanceStatsRegistry registry = new InstanceStatsRegistry(OutlierSettings.of(this.properties),
				this.clock::get);
		InstanceStats fresh = registry.statsOf(instance("new").build());
		InstanceStats known = registry.statsOf(instance("known").build());
		measured(known, 50_000_000);
		assertThat(fresh.cost(this.clock.get())).as("idle: tried first").isLessThan(known.cost(this.clock.get()));
		fresh.callStarted(this.clock.get());
		assertThat(fresh.cost(this.clock.get())).as("a call in flight, no latency yet")
			.isGreaterThan(known.cost(this.clock.get()));
	}

	@Test
	void aCallThatNeverEndsShouldStopCountingAfterThreeDecayTimes() {
		InstanceStatsRegistry registry = new InstanceStatsRegistry(OutlierSettings.of(this.properties),
				this.clock::get);
		InstanceStats fresh = registry.statsOf(instance("new").build());
		InstanceStats known = registry.statsOf(instance("known").build());
		measured(known, 50_000_000);
		// A cancelled call: started, never completed (reactive lifecycles report success
		// and error only).
		fresh.callStarted(this.clock.get());
		this.clock.addAndGet(Duration.ofSeconds(29).toNanos());
		assertThat(fresh.inFlight()).isEqualTo(1);
		assertThat(fresh.cost(this.clock.get())).isGreaterThan(known.cost(this.clock.get()));
		this.clock.addAndGet(Duration.ofSeconds(2).toNanos());
		assertThat(fresh.cost(this.clock.get())).as("abandoned: tried again").isLessThan(known.cost(this.clock.get()));
		assertThat(fresh.inFlight()).isZero();
	}

	@Test
	void roundRobinShouldTakeEachInstanceInTurnIgnoringWeights() {
		NacosLoadBalancerProperties.ServiceRule rule = new NacosLoadBalancerProperties.ServiceRule();
		rule.setStrategy(LoadBalancingStrategy.ROUND_ROBIN);
		this.properties.getServices().put("orders", rule);
		GrayRoutingTable table = GrayRoutingTable.build("orders", List.of(instance("i1").weight(1).build(),
				instance("i2").weight(5).build(), instance("i3").weight(10).build()), GrayRules.of(this.properties),
				null);
		Draws draws = new Draws();
		for (int i = 0; i < 300; i++) {
			draws.add(table.choose(null, null, this.random).getInstanceId());
		}
		assertThat(draws.count("i1")).isEqualTo(100);
		assertThat(draws.count("i2")).isEqualTo(100);
		assertThat(draws.count("i3")).isEqualTo(100);
	}

	@Test
	void callsShouldBeTimedFromStartToEndInOrderAfterAWarmUpCall() {
		InstanceStatsRegistry registry = new InstanceStatsRegistry(OutlierSettings.of(this.properties),
				this.clock::get);
		InstanceStats stats = registry.statsOf(instance("i1").build());
		stats.callStarted(this.clock.get());
		this.clock.addAndGet(300_000_000);
		stats.callEnded(this.clock.get());
		assertThat(stats.latencyAt(this.clock.get())).as("first call (connection set-up) not counted").isZero();
		stats.callStarted(this.clock.get());
		stats.callStarted(this.clock.get());
		assertThat(stats.inFlight()).isEqualTo(2);
		this.clock.addAndGet(20_000_000);
		stats.callEnded(this.clock.get());
		stats.callEnded(this.clock.get());
		stats.callEnded(this.clock.get());
		assertThat(stats.inFlight()).isZero();
		assertThat(stats.latencyAt(this.clock.get())).isEqualTo(20_000_000);
	}

	// A warm-up call (not counted), then one of the given latency.
	private void measured(InstanceStats stats, long nanos) {
		stats.latency(1, this.clock.get());
		stats.latency(nanos, this.clock.get());
	}

	private Draws draw(GrayRoutingTable table) {
		Draws draws = new Draws();
		for (int i = 0; i < DRAWS; i++) {
			draws.add(table.choose(null, null, this.random, null, this.clock.get()).getInstanceId());
		}
		return draws;
	}

	private static ServiceInstance loaded(String id, String load) {
		ServiceInstance base = instance(id).build();
		java.util.Map<String, String> metadata = new java.util.HashMap<>(base.getMetadata());
		metadata.put("load.cpu", load);
		return new DefaultServiceInstance(id, "orders", base.getHost(), base.getPort(), false, metadata);
	}

}
