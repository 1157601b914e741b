package dev.nacosboot.loadbalancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.ServiceInstance;

import static dev.nacosboot.loadbalancer.TestInstances.instance;
import static org.assertj.core.api.Assertions.assertThat;

class GrayRoutingTableTests {

	private static final int DRAWS = 100_000;

	private final RandomGenerator random = new SplittableRandom(20260330L);

	@Test
	void chooseShouldFollowInstanceWeightsWithinStatisticalTolerance() {
		GrayRoutingTable table = table(rules(new NacosLoadBalancerProperties()), null, instance("a").weight(1).build(),
				instance("b").weight(2).build(), instance("c").weight(3).build(), instance("d").weight(4).build());
		Draws draws = draw(table, null, DRAWS);
		draws.assertShare("a", 0.1, "weight 1 of 10");
		draws.assertShare("b", 0.2, "weight 2 of 10");
		draws.assertShare("c", 0.3, "weight 3 of 10");
		draws.assertShare("d", 0.4, "weight 4 of 10");
	}

	@Test
	void chooseShouldFollowManyDistinctWeights() {
		// 40 instances with weights 0.25 .. 10: every column of the alias tables is
		// paired at least once.
		List<ServiceInstance> instances = new ArrayList<>();
		double total = 0;
		for (int i = 1; i <= 40; i++) {
			instances.add(instance("i" + i).weight(i * 0.25).build());
			total += i * 0.25;
		}
		GrayRoutingTable table = table(rules(new NacosLoadBalancerProperties()), null,
				instances.toArray(ServiceInstance[]::new));
		Draws draws = draw(table, null, 400_000);
		for (int i = 1; i <= 40; i++) {
			draws.assertShare("i" + i, i * 0.25 / total, "weight " + (i * 0.25) + " of " + total);
		}
	}

	@Test
	void chooseShouldSpreadEquallyWeightedInstancesEvenly() {
		GrayRoutingTable table = table(rules(new NacosLoadBalancerProperties()), null, instance("a").build(),
				instance("b").build(), instance("c").build());
		Draws draws = draw(table, null, DRAWS);
		for (String id : List.of("a", "b", "c")) {
			draws.assertShare(id, 1.0 / 3, "equal weights");
		}
	}

	@Test
	void chooseShouldFollowFractionalAndLargeWeights() {
		GrayRoutingTable table = table(rules(new NacosLoadBalancerProperties()), null,
				instance("small").weight(0.5).build(), instance("large").weight(99.5).build());
		Draws draws = draw(table, null, DRAWS);
		draws.assertShare("small", 0.005, "weight 0.5 of 100");
		draws.assertShare("large", 0.995, "weight 99.5 of 100");
	}

	@Test
	void chooseShouldSkipUnhealthyDisabledAndZeroWeightInstances() {
		GrayRoutingTable table = table(rules(new NacosLoadBalancerProperties()), null, instance("ok").build(),
				instance("sick").unhealthy().build(), instance("off").disabled().build(),
				instance("drained").weight(0).build());
		Draws draws = draw(table, null, 10_000);
		assertThat(draws.count("ok")).isEqualTo(10_000);
	}

	@Test
	void chooseWithoutRoutableInstanceShouldReturnNothing() {
		GrayRoutingTable table = table(rules(new NacosLoadBalancerProperties()), null,
				instance("sick").unhealthy().build());
		assertThat(table.choose(null, null, this.random)).isNull();
		assertThat(table(rules(new NacosLoadBalancerProperties()), null).choose(null, null, this.random)).isNull();
	}

	@Test
	void chooseShouldPreferTheLocalCluster() {
		GrayRoutingTable table = table(rules(new NacosLoadBalancerProperties()), "HZ",
				instance("hz-1").cluster("HZ").build(), instance("hz-2").cluster("HZ").build(),
				instance("sh-1").cluster("SH").build());
		Draws draws = draw(table, null, 10_000);
		assertThat(draws.count("hz-1") + draws.count("hz-2")).isEqualTo(10_000);
	}

	@Test
	void chooseShouldUseFallbackClustersInOrderWhenTheLocalOneHasNoHealthyInstance() {
		NacosLoadBalancerProperties properties = new NacosLoadBalancerProperties();
		properties.getClusterPreference().setFallbackClusters(List.of("SH", "BJ"));
		GrayRoutingTable table = table(rules(properties), "HZ", instance("hz-1").cluster("HZ").unhealthy().build(),
				instance("bj-1").cluster("BJ").build(), instance("sh-1").cluster("SH").build());
		assertThat(draw(table, null, 1000).count("sh-1")).isEqualTo(1000);
		GrayRoutingTable withoutSh = table(rules(properties), "HZ", instance("hz-1").cluster("HZ").unhealthy().build(),
				instance("bj-1").cluster("BJ").build(), instance("gz-1").cluster("GZ").build());
		assertThat(draw(withoutSh, null, 1000).count("bj-1")).isEqualTo(1000);
	}

	@Test
	void chooseShouldUseEveryClusterWhenNoPreferredClusterHasAHealthyInstance() {
		GrayRoutingTable table = table(rules(new NacosLoadBalancerProperties()), "HZ",
				instance("hz-1").cluster("HZ").unhealthy().build(), instance("sh-1").cluster("SH").build(),
				instance("bj-1").cluster("BJ").build());
		Draws draws = draw(table, null, DRAWS);
		draws.assertShare("sh-1", 0.5, "no local cluster");
	}

	@Test
	void chooseShouldIgnoreClustersWhenClusterPreferenceIsOff() {
		NacosLoadBalancerProperties properties = new NacosLoadBalancerProperties();
		properties.getClusterPreference().setEnabled(false);
		GrayRoutingTable table = table(rules(properties), "HZ", instance("hz-1").cluster("HZ").build(),
				instance("sh-1").cluster("SH").build());
		draw(table, null, DRAWS).assertShare("sh-1", 0.5, "preference off");
	}

	@Test
	void chooseWithVersionHeaderShouldRouteToThatVersionOnly() {
		GrayRoutingTable table = table(rules(new NacosLoadBalancerProperties()), null,
				instance("v1-a").version("v1").build(), instance("v1-b").version("v1").build(),
				instance("v2-a").version("v2").gray().build());
		for (int i = 0; i < 1000; i++) {
			assertThat(table.choose("v2", null, this.random).getInstanceId()).isEqualTo("v2-a");
			assertThat(table.choose("v1", null, this.random).getInstanceId()).startsWith("v1-");
		}
	}

	@Test
	void chooseShouldKeepUntaggedTrafficOffGrayInstances() {
		GrayRoutingTable table = table(rules(new NacosLoadBalancerProperties()), null,
				instance("v1-a").version("v1").build(), instance("v2-a").version("v2").gray().build());
		assertThat(draw(table, null, 10_000).count("v1-a")).isEqualTo(10_000);
	}

	@Test
	void chooseShouldKeepUntaggedTrafficOffCanaryVersionsAtZeroPercent() {
		GrayRoutingTable table = table(rules(canary("v2", 0.0, null)), null, instance("v1-a").version("v1").build(),
				instance("v2-a").version("v2").build());
		assertThat(draw(table, null, 10_000).count("v1-a")).isEqualTo(10_000);
	}

	@Test
	void chooseShouldSendTheCanaryShareOfUntaggedTrafficWithinStatisticalTolerance() {
		GrayRoutingTable table = table(rules(canary("v2", 10.0, null)), null, instance("v1-a").version("v1").build(),
				instance("v1-b").version("v1").build(), instance("v2-a").version("v2").build());
		Draws draws = draw(table, null, DRAWS);
		draws.assertShare("v2-a", 0.10, "canary v2 at 10%");
		draws.assertShare("v1-a", 0.45, "stable v1 instance");
	}

	@Test
	void chooseShouldSplitBetweenSeveralCanaries() {
		NacosLoadBalancerProperties properties = canary("v2", 12.5, null);
		properties.getServices().get("orders").getCanary().put("v3", 0.5);
		GrayRoutingTable table = table(rules(properties), null, instance("v1").version("v1").build(),
				instance("v2").version("v2").build(), instance("v3").version("v3").build());
		Draws draws = draw(table, null, DRAWS);
		draws.assertShare("v2", 0.125, "canary v2 at 12.5%");
		draws.assertShare("v3", 0.005, "canary v3 at 0.5%");
	}

	@Test
	void chooseShouldSendAllUntaggedTrafficToTheCanaryAtHundredPercent() {
		GrayRoutingTable table = table(rules(canary("v2", 100.0, null)), null, instance("v1").version("v1").build(),
				instance("v2").version("v2").build());
		assertThat(draw(table, null, 10_000).count("v2")).isEqualTo(10_000);
	}

	@Test
	void chooseShouldKeepOneStickyValueOnOneSide() {
		GrayRoutingTable table = table(rules(canary("v2", 30.0, "X-User-Id")), null,
				instance("v1-a").version("v1").build(), instance("v1-b").version("v1").build(),
				instance("v2-a").version("v2").build(), instance("v2-b").version("v2").build());
		for (int user = 0; user < 2000; user++) {
			String side = table.choose(null, "user-" + user, this.random).getMetadata().get("version");
			for (int repeat = 0; repeat < 20; repeat++) {
				assertThat(table.choose(null, "user-" + user, this.random).getMetadata().get("version"))
					.isEqualTo(side);
			}
		}
	}

	@Test
	void stickyValuesShouldFallIntoTheCanaryShareWithinStatisticalTolerance() {
		GrayRoutingTable table = table(rules(canary("v2", 10.0, "X-User-Id")), null,
				instance("v1").version("v1").build(), instance("v2").version("v2").build());
		Draws draws = new Draws();
		for (int user = 0; user < DRAWS; user++) {
			draws.add(table.choose(null, "user-" + user, this.random).getInstanceId());
		}
		draws.assertShare("v2", 0.10, "sticky users on canary v2 at 10%");
		Draws uuids = new Draws();
		Random ids = new Random(7);
		for (int user = 0; user < DRAWS; user++) {
			uuids.add(table.choose(null, new java.util.UUID(ids.nextLong(), ids.nextLong()).toString(), this.random)
				.getInstanceId());
		}
		uuids.assertShare("v2", 0.10, "sticky uuids on canary v2 at 10%");
	}

	@Test
	void raisingTheCanaryShareShouldKeepUsersAlreadyOnTheCanary() {
		GrayRoutingTable at10 = table(rules(canary("v2", 10.0, "X-User-Id")), null,
				instance("v1").version("v1").build(), instance("v2").version("v2").build());
		GrayRoutingTable at50 = table(rules(canary("v2", 50.0, "X-User-Id")), null,
				instance("v1").version("v1").build(), instance("v2").version("v2").build());
		for (int user = 0; user < 10_000; user++) {
			if (at10.choose(null, "user-" + user, this.random).getInstanceId().equals("v2")) {
				assertThat(at50.choose(null, "user-" + user, this.random).getInstanceId()).isEqualTo("v2");
			}
		}
	}

	@Test
	void chooseShouldSendTheCanaryShareToStableWhenNoCanaryInstanceIsRoutable() {
		GrayRoutingTable table = table(rules(canary("v2", 50.0, null)), null, instance("v1").version("v1").build(),
				instance("v2").version("v2").unhealthy().build());
		assertThat(draw(table, null, 10_000).count("v1")).isEqualTo(10_000);
	}

	@Test
	void chooseWithMissingVersionShouldFallBackToStableByDefault() {
		GrayRoutingTable table = table(rules(new NacosLoadBalancerProperties()), null,
				instance("v1").version("v1").build(), instance("v2").version("v2").gray().build());
		assertThat(draw(table, "v9", 1000).count("v1")).isEqualTo(1000);
	}

	@Test
	void chooseWithMissingVersionShouldFailWhenTheRuleSaysSo() {
		NacosLoadBalancerProperties properties = canary("v2", 5.0, null);
		properties.getServices().get("orders").setOnMissingVersion(MissingVersionPolicy.FAIL);
		GrayRoutingTable table = table(rules(properties), null, instance("v1").version("v1").build());
		assertThat(table.choose("v9", null, this.random)).isNull();
		assertThat(table.choose("v1", null, this.random)).isNotNull();
	}

	@Test
	void chooseWithStableVersionShouldSendUntaggedTrafficToThatVersionOnly() {
		NacosLoadBalancerProperties properties = new NacosLoadBalancerProperties();
		NacosLoadBalancerProperties.ServiceRule rule = new NacosLoadBalancerProperties.ServiceRule();
		rule.setStableVersion("v1");
		properties.getServices().put("orders", rule);
		GrayRoutingTable table = table(rules(properties), null, instance("v0").version("v0").build(),
				instance("v1").version("v1").build(), instance("none").build());
		assertThat(draw(table, null, 1000).count("v1")).isEqualTo(1000);
		assertThat(draw(table, "v0", 1000).count("v0")).isEqualTo(1000);
	}

	@Test
	void rulesOfOtherServicesShouldNotApply() {
		NacosLoadBalancerProperties properties = canary("v2", 100.0, null);
		GrayRoutingTable table = GrayRoutingTable.build("payments",
				List.of(instance("v1").version("v1").build(), instance("v2").version("v2").build()), rules(properties),
				null);
		Draws draws = draw(table, null, DRAWS);
		draws.assertShare("v2", 0.5, "no rule for payments");
	}

	@Test
	void stickyBucketsShouldBeStableAcrossRuns() {
		// Pinned: changing the hash would move users between stable and canary when
		// consumers are redeployed.
		assertThat(GrayRoutingTable.bucketOf("user-42")).isEqualTo(GrayRoutingTable.bucketOf("user-42"));
		assertThat(GrayRoutingTable.bucketOf("")).isBetween(0, 9999);
		assertThat(GrayRoutingTable.bucketOf("user-42")).isEqualTo(5428);
	}

	static NacosLoadBalancerProperties canary(String version, double percent, String stickyHeader) {
		NacosLoadBalancerProperties properties = new NacosLoadBalancerProperties();
		NacosLoadBalancerProperties.ServiceRule rule = new NacosLoadBalancerProperties.ServiceRule();
		rule.getCanary().put(version, percent);
		rule.setStickyHeader(stickyHeader);
		properties.getServices().put("orders", rule);
		return properties;
	}

	static GrayRules rules(NacosLoadBalancerProperties properties) {
		return GrayRules.of(properties);
	}

	private static GrayRoutingTable table(GrayRules rules, String localCluster, ServiceInstance... instances) {
		return GrayRoutingTable.build("orders", new ArrayList<>(List.of(instances)), rules, localCluster);
	}

	private Draws draw(GrayRoutingTable table, String version, int n) {
		Draws draws = new Draws();
		for (int i = 0; i < n; i++) {
			draws.add(table.choose(version, null, this.random).getInstanceId());
		}
		return draws;
	}

}
