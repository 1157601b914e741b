package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.ServiceInstance;

import static dev.nacosboot.loadbalancer.TestInstances.instance;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passive health in the routing table: soft down-weighting, ejection with back-off,
 * ramp-up and the share cap, on a manual clock with seeded draws.
 */
class OutlierEjectionTests {

	private static final int DRAWS = 50_000;

	private final RandomGenerator random = new SplittableRandom(20261126L);

	private final AtomicLong clock = new AtomicLong(1_000_000_000L);

	private final List<ServiceInstance> instances = new ArrayList<>(
			List.of(instance("i1").build(), instance("i2").build(), instance("i3").build(), instance("i4").build()));

	private final NacosLoadBalancerProperties properties = new NacosLoadBalancerProperties();

	private InstanceStatsRegistry registry = registry();

	private InstanceStatsRegistry registry() {
		return new InstanceStatsRegistry(OutlierSettings.of(this.properties), this.clock::get);
	}

	@Test
	void consecutiveFailuresShouldEjectAnInstanceUntilTheBackOffEnds() {
		fail("i1", 5);
		assertThat(draw(table()).count("i1")).isZero();
		advance(Duration.ofSeconds(29));
		assertThat(draw(table()).count("i1")).isZero();
		advance(Duration.ofSeconds(1));
		// Back after 30 s with 10 % of its weight, ramping up to full over 30 s.
		draw(table()).assertShare("i1", 0.1 / 3.1, "readmitted at 10 % weight");
		advance(Duration.ofSeconds(15));
		draw(table()).assertShare("i1", 0.55 / 3.55, "half-way through the ramp-up");
		advance(Duration.ofSeconds(15));
		draw(table()).assertShare("i1", 0.25, "fully recovered");
	}

	@Test
	void failuresBelowTheThresholdShouldLowerTheWeightSoftly() {
		fail("i1", 2);
		draw(table()).assertShare("i1", 0.6 / 3.6, "2 of 5 failures: 60 % weight");
		fail("i1", 2);
		draw(table()).assertShare("i1", 0.2 / 3.2, "4 of 5 failures: 20 % weight");
	}

	@Test
	void softDownWeightingCanBeSwitchedOff() {
		this.properties.getOutlierDetection().setSoftDownWeighting(false);
		this.registry = registry();
		fail("i1", 4);
		draw(table()).assertShare("i1", 0.25, "no soft down-weighting");
		fail("i1", 1);
		assertThat(draw(table()).count("i1")).isZero();
	}

	@Test
	void successShouldResetTheConsecutiveFailures() {
		fail("i1", 4);
		this.registry.succeeded(instance("i1").build());
		fail("i1", 4);
		assertThat(this.registry.statsOf(instance("i1").build()).isEjected(this.clock.get())).isFalse();
		assertThat(draw(table()).count("i1")).isPositive();
	}

	@Test
	void repeatedEjectionShouldDoubleTheBackOff() {
		fail("i1", 5);
		advance(Duration.ofSeconds(30));
		fail("i1", 5);
		advance(Duration.ofSeconds(59));
		assertThat(draw(table()).count("i1")).isZero();
		advance(Duration.ofSeconds(1));
		assertThat(draw(table()).count("i1")).isPositive();
	}

	@Test
	void noMoreThanTheMaximumShareShouldBeEjected() {
		fail("i1", 5);
		fail("i2", 5);
		fail("i3", 5);
		Draws draws = draw(table());
		int ejected = 0;
		for (String id : List.of("i1", "i2", "i3")) {
			ejected += (draws.count(id) == 0) ? 1 : 0;
		}
		System.out.println("3 of 4 failing, 50 % cap: " + draws);
		assertThat(ejected).isEqualTo(2);
		assertThat(draws.count("i4")).isPositive();
	}

	@Test
	void poolWhoseEveryInstanceIsEjectedShouldStillBeChosen() {
		this.properties.getOutlierDetection().setMaxEjectedPercent(100);
		this.registry = registry();
		this.instances.subList(1, 4).clear();
		fail("i1", 5);
		assertThat(draw(table()).count("i1")).isEqualTo(DRAWS);
	}

	@Test
	void tableShouldBeStaleWhenHealthChangedOrAnEjectionEnds() {
		GrayRoutingTable table = table();
		assertThat(table.isStale(this.registry)).isFalse();
		fail("i1", 1);
		assertThat(table.isStale(this.registry)).isTrue();
		fail("i1", 4);
		table = table();
		advance(Duration.ofSeconds(29));
		assertThat(table.isStale(this.registry)).isFalse();
		advance(Duration.ofSeconds(1));
		assertThat(table.isStale(this.registry)).isTrue();
	}

	@Test
	void retryShouldAvoidThePreviousInstanceWhenThereIsAnother() {
		this.instances.set(0, instance("i1").weight(97).build());
		GrayRoutingTable table = table();
		Draws draws = new Draws();
		for (int i = 0; i < DRAWS; i++) {
			draws.add(table.choose(null, null, this.random, instance("i1").build(), this.clock.get()).getInstanceId());
		}
		assertThat(draws.count("i1")).isZero();
		draws.assertShare("i2", 1.0 / 3, "retry spreads over the others by weight");
		GrayRoutingTable single = GrayRoutingTable.build("orders", List.of(instance("i1").build()),
				GrayRules.of(this.properties), null, this.registry);
		assertThat(single.choose(null, null, this.random, instance("i1").build(), 0).getInstanceId()).isEqualTo("i1");
	}

	@Test
	void disabledOutlierDetectionShouldEjectNothing() {
		this.properties.getOutlierDetection().setEnabled(false);
		this.registry = registry();
		fail("i1", 50);
		draw(table()).assertShare("i1", 0.25, "outlier detection off");
	}

	@Test
	void failedConnectShouldEjectAtOnceWhateverShareIsOutAlready() {
		refuse("i1");
		refuse("i2");
		refuse("i3");
		assertThat(draw(table()).count("i4")).as("3 of 4 refusing connections, 50 % cap").isEqualTo(DRAWS);
	}

	@Test
	void instancesRefusingConnectionsShouldNotTakeTheShareOfFailingOnes() {
		refuse("i1");
		refuse("i2");
		// Two instances still connect: the 50 % cap allows one of them out for 5xx.
		fail("i3", 5);
		assertThat(draw(table()).count("i4")).isEqualTo(DRAWS);
	}

	@Test
	void failedConnectShouldLastUntilAProbeConnectsThenRampUp() {
		List<Runnable> probes = new ArrayList<>();
		this.registry.probeWith((instance, stillOut, connected) -> probes.add(() -> {
			if (stillOut.getAsBoolean()) {
				connected.run();
			}
		}));
		refuse("i1");
		refuse("i1");
		assertThat(probes).as("one probe per ejection").hasSize(1);
		advance(Duration.ofMinutes(10));
		assertThat(draw(table()).count("i1")).as("no time-based return").isZero();
		probes.get(0).run();
		draw(table()).assertShare("i1", 0.1 / 3.1, "readmitted by the probe at 10 % weight");
		advance(Duration.ofSeconds(30));
		draw(table()).assertShare("i1", 0.25, "fully recovered");
	}

	@Test
	void successfulCallShouldReadmitAnInstanceThatRefusedBefore() {
		refuse("i1");
		this.registry.succeeded(instance("i1").build());
		draw(table()).assertShare("i1", 0.1 / 3.1, "readmitted at 10 % weight");
	}

	@Test
	void poolWhoseEveryInstanceRefusesConnectionsShouldStillBeChosen() {
		this.instances.forEach((instance) -> this.registry.connectFailed(instance));
		Draws draws = draw(table());
		for (String id : List.of("i1", "i2", "i3", "i4")) {
			draws.assertShare(id, 0.25, "every instance refusing");
		}
	}

	@Test
	void poolWhoseEveryInstanceIsOutShouldPreferThoseThatStillAcceptConnections() {
		this.properties.getOutlierDetection().setMaxEjectedPercent(100);
		this.registry = registry();
		fail("i1", 5);
		fail("i2", 5);
		fail("i3", 5);
		refuse("i4");
		Draws draws = draw(table());
		assertThat(draws.count("i4")).isZero();
		draws.assertShare("i1", 1.0 / 3, "every instance out, the failing ones kept");
	}

	@Test
	void versionWhoseInstancesAllRefuseConnectionsShouldFollowTheMissingVersionPolicy() {
		this.instances.set(0, instance("i1").version("v2").build());
		refuse("i1");
		GrayRoutingTable fallback = table();
		assertThat(fallback.choose("v2", null, this.random, null, this.clock.get()).getInstanceId())
			.as("fallback: the stable instances")
			.isNotEqualTo("i1");
		this.properties.setOnMissingVersion(MissingVersionPolicy.FAIL);
		assertThat(table().choose("v2", null, this.random, null, this.clock.get())).as("fail: no instance").isNull();
	}

	private void refuse(String id) {
		this.registry.connectFailed(instance(id).build());
	}

	private void fail(String id, int times) {
		for (int i = 0; i < times; i++) {
			this.registry.failed(instance(id).build());
		}
	}

	private void advance(Duration duration) {
		this.clock.addAndGet(duration.toNanos());
	}

	private GrayRoutingTable table() {
		return GrayRoutingTable.build("orders", this.instances, GrayRules.of(this.properties), null, this.registry);
	}

	private Draws draw(GrayRoutingTable table) {
		Draws draws = new Draws();
		for (int i = 0; i < DRAWS; i++) {
			draws.add(table.choose(null, null, this.random, null, this.clock.get()).getInstanceId());
		}
		return draws;
	}

}
