package dev.nacosboot.loadbalancer;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class GrayRulesTests {

	@Test
	void ofDefaultsShouldRouteByXGrayVersionAndFallBack() {
		GrayRules rules = GrayRules.of(new NacosLoadBalancerProperties());
		assertThat(rules.versionHeader()).isEqualTo("X-Gray-Version");
		assertThat(rules.versionMetadataKey()).isEqualTo("version");
		assertThat(rules.grayMetadataKey()).isEqualTo("gray");
		assertThat(rules.preferLocalCluster()).isTrue();
		assertThat(rules.ruleFor("anything").onMissingVersion()).isEqualTo(MissingVersionPolicy.FALLBACK);
		assertThat(rules.ruleFor("anything").canaries()).isEmpty();
	}

	@Test
	void ofShouldKeepCanarySharesInBasisPoints() {
		NacosLoadBalancerProperties properties = GrayRoutingTableTests.canary("v2", 12.34, "X-User-Id");
		GrayRules.ServiceRule rule = GrayRules.of(properties).ruleFor("orders");
		assertThat(rule.canaries()).containsExactly(new GrayRules.Canary("v2", 1234));
		assertThat(rule.stickyHeader()).isEqualTo("X-User-Id");
	}

	@Test
	void ofShouldRejectAPercentageOverHundred() {
		assertThatExceptionOfType(InvalidGrayRulesException.class)
			.isThrownBy(() -> GrayRules.of(GrayRoutingTableTests.canary("v2", 150.0, null)))
			.withMessageContaining("services.orders.canary.v2 is 150.0%, must be between 0 and 100");
	}

	@Test
	void ofShouldRejectANegativePercentage() {
		assertThatExceptionOfType(InvalidGrayRulesException.class)
			.isThrownBy(() -> GrayRules.of(GrayRoutingTableTests.canary("v2", -1.0, null)))
			.withMessageContaining("must be between 0 and 100");
	}

	@Test
	void ofShouldRejectSharesAddingUpToMoreThanHundred() {
		NacosLoadBalancerProperties properties = GrayRoutingTableTests.canary("v2", 60.0, null);
		properties.getServices().get("orders").getCanary().put("v3", 50.0);
		assertThatExceptionOfType(InvalidGrayRulesException.class).isThrownBy(() -> GrayRules.of(properties))
			.withMessageContaining("canary shares add up to 110.0%");
	}

	@Test
	void ofShouldRejectACanaryThatIsAlsoTheStableVersion() {
		NacosLoadBalancerProperties properties = GrayRoutingTableTests.canary("v2", 10.0, null);
		properties.getServices().get("orders").setStableVersion("v2");
		assertThatExceptionOfType(InvalidGrayRulesException.class).isThrownBy(() -> GrayRules.of(properties))
			.withMessageContaining("canary.v2 is also the stable-version");
	}

	@Test
	void ofShouldListEveryProblem() {
		NacosLoadBalancerProperties properties = GrayRoutingTableTests.canary("v2", 101.0, null);
		properties.setVersionHeader(" ");
		properties.getClusterPreference().setFallbackClusters(List.of(""));
		assertThatExceptionOfType(InvalidGrayRulesException.class).isThrownBy(() -> GrayRules.of(properties))
			.satisfies((ex) -> assertThat(ex.getProblems()).hasSize(3));
	}

	@Test
	void serviceRuleShouldOverrideTheMissingVersionPolicy() {
		NacosLoadBalancerProperties properties = GrayRoutingTableTests.canary("v2", 1.0, null);
		properties.setOnMissingVersion(MissingVersionPolicy.FAIL);
		properties.getServices().get("orders").setOnMissingVersion(MissingVersionPolicy.FALLBACK);
		GrayRules rules = GrayRules.of(properties);
		assertThat(rules.ruleFor("orders").onMissingVersion()).isEqualTo(MissingVersionPolicy.FALLBACK);
		assertThat(rules.ruleFor("payments").onMissingVersion()).isEqualTo(MissingVersionPolicy.FAIL);
	}

	@Test
	void equalPropertiesShouldGiveEqualRules() {
		assertThat(GrayRules.of(GrayRoutingTableTests.canary("v2", 10.0, "X-User-Id")))
			.isEqualTo(GrayRules.of(GrayRoutingTableTests.canary("v2", 10.0, "X-User-Id")));
	}

}
