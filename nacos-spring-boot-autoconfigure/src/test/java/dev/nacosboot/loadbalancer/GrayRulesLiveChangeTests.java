package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.discovery.NacosDiscoveryAutoConfiguration;
import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.cloud.autoconfigure.ConfigurationPropertiesRebinderAutoConfiguration;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.loadbalancer.config.LoadBalancerAutoConfiguration;
import org.springframework.cloud.client.loadbalancer.reactive.ReactiveLoadBalancer;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Rules changed in the Environment apply to the next request once Spring Cloud's rebinder
 * rebinds {@link NacosLoadBalancerProperties} (on an {@link EnvironmentChangeEvent} here;
 * the config refresh rebinds the beans its change concerns), with the rebinder in the
 * context as in a real application.
 */
class GrayRulesLiveChangeTests {

	private static final String RULES = NacosLoadBalancerProperties.PREFIX + ".services.orders.";

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private final String group = nacos.target().unique("lb-live");

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ConfigurationPropertiesRebinderAutoConfiguration.class,
				NacosCoreAutoConfiguration.class, NacosDiscoveryAutoConfiguration.class,
				NacosLoadBalancerAutoConfiguration.class, LoadBalancerAutoConfiguration.class))
		.withPropertyValues(nacos.target().springPropertyValues())
		.withPropertyValues("spring.cloud.nacos.discovery.group=" + this.group, RULES + "canary.v2=0",
				"logging.level.com.alibaba.nacos=warn");

	@Test
	void ruleChangeShouldApplyToTheNextRequestWithoutRestart() {
		this.runner.run((context) -> {
			ReactiveLoadBalancer<ServiceInstance> balancer = ordersWithV1AndV2(context);
			assertThat(Requests.choose(balancer).getMetadata()).containsEntry("version", "v1");

			change(context, RULES + "canary.v2=100");

			assertThat(context.getBean(NacosLoadBalancerProperties.class).getServices().get("orders").getCanary())
				.as("rebound by Spring Cloud")
				.containsEntry("v2", 100.0);
			assertThat(Requests.choose(balancer).getMetadata()).containsEntry("version", "v2");
			change(context, RULES + "canary.v2=0");
			assertThat(Requests.choose(balancer).getMetadata()).containsEntry("version", "v1");
		});
	}

	@Test
	void percentageOverHundredShouldFailTheRebindKeepingThePreviousRules() {
		this.runner.run((context) -> {
			ReactiveLoadBalancer<ServiceInstance> balancer = ordersWithV1AndV2(context);
			change(context, RULES + "canary.v2=100");

			// Without the config refresh's trial bind (which rolls such a change back
			// before it reaches the Environment), the rebind itself refuses it.
			assertThatException().isThrownBy(() -> change(context, RULES + "canary.v2=150"))
				.withStackTraceContaining("services.orders.canary.v2 is 150.0%, must be between 0 and 100");

			GrayRulesSource source = context.getBean(GrayRulesSource.class);
			assertThat(source.current().ruleFor("orders").canaries())
				.containsExactly(new GrayRules.Canary("v2", 10_000));
			assertThat(Requests.choose(balancer).getMetadata()).containsEntry("version", "v2");
		});
	}

	@Test
	void unknownVersionShouldBeRejectedKeepingThePreviousRules() {
		this.runner.run((context) -> {
			ReactiveLoadBalancer<ServiceInstance> balancer = ordersWithV1AndV2(context);
			change(context, RULES + "canary.v2=0", RULES + "canary.v3=10");
			change(context, RULES + "stable-version=v0");

			GrayRulesSource source = context.getBean(GrayRulesSource.class);
			assertThat(source.current().ruleFor("orders").canaries()).containsExactly(new GrayRules.Canary("v2", 0));
			assertThat(source.current().ruleFor("orders").stableVersion()).isNull();
			assertThat(source.getLastRejection()).contains("stable-version v0 is unknown: no instance has it");
			assertThat(Requests.choose(balancer).getMetadata()).containsEntry("version", "v1");
		});
	}

	@Test
	void rebindThatChangesNothingShouldKeepTheRulesInForce() {
		this.runner.run((context) -> {
			GrayRules before = context.getBean(GrayRulesSource.class).current();
			context.publishEvent(new EnvironmentChangeEvent(context.getSourceApplicationContext(), Set.of("greeting")));
			assertThat(context.getBean(GrayRulesSource.class).current()).isSameAs(before);
		});
	}

	@Test
	void valueThatCannotBeBoundShouldFailTheRebindKeepingThePreviousRules() {
		this.runner.run((context) -> {
			GrayRules before = context.getBean(GrayRulesSource.class).current();
			assertThatException().isThrownBy(() -> change(context, RULES + "canary.v2=ten"))
				.withStackTraceContaining(NacosLoadBalancerProperties.PREFIX);
			assertThat(context.getBean(GrayRulesSource.class).current()).isSameAs(before);
		});
	}

	@Test
	void outlierRequeueAndPropagationSettingsShouldApplyLive() {
		this.runner.run((context) -> {
			InstanceStatsRegistry stats = context.getBean(InstanceStatsRegistry.class);
			GrayRulesSource source = context.getBean(GrayRulesSource.class);
			long generation = stats.generation();
			assertThat(stats.settings().consecutiveFailures()).isEqualTo(5);

			change(context, NacosLoadBalancerProperties.PREFIX + ".outlier-detection.consecutive-failures=2",
					NacosLoadBalancerProperties.PREFIX + ".outlier-detection.max-ejected-percent=20",
					NacosLoadBalancerProperties.PREFIX + ".requeue.budget.percent=50",
					NacosLoadBalancerProperties.PREFIX + ".header-propagation.headers=X-User-Id");

			assertThat(stats.settings().consecutiveFailures()).isEqualTo(2);
			assertThat(stats.settings().maxEjectedShare()).isEqualTo(0.2);
			assertThat(stats.generation()).as("routing tables rebuilt under the new settings")
				.isGreaterThan(generation);
			assertThat(source.requeue().budget().percent()).isEqualTo(50);
			assertThat(source.propagatedHeaders()).containsExactly("X-Gray-Version", "X-User-Id");
		});
	}

	private ReactiveLoadBalancer<ServiceInstance> ordersWithV1AndV2(AssertableApplicationContext context)
			throws Exception {
		NamingService naming = context.getBean(NamingService.class);
		// One client holds one registration per service: several instances go in one
		// batch.
		naming.batchRegisterInstance("orders", this.group, List.of(instance(18081, "v1"), instance(18082, "v2")));
		NacosInstanceView view = context.getBean(NacosInstanceView.class);
		await().atMost(Duration.ofSeconds(10)).until(() -> view.getInstances("orders").size() == 2);
		return context.getBean(LoadBalancerClientFactory.class).getInstance("orders");
	}

	private static Instance instance(int port, String version) {
		Instance instance = new Instance();
		instance.setIp("127.0.0.1");
		instance.setPort(port);
		instance.setMetadata(Map.of("version", version));
		return instance;
	}

	private static void change(AssertableApplicationContext context, String... properties) {
		TestPropertyValues.of(properties).applyTo(context.getSourceApplicationContext());
		Set<String> keys = new java.util.HashSet<>();
		for (String property : properties) {
			keys.add(property.substring(0, property.indexOf('=')));
		}
		// Spring Cloud's rebinder acts on events whose source is its own context, as the
		// config refresh sends them.
		context.publishEvent(new EnvironmentChangeEvent(context.getSourceApplicationContext(), keys));
	}

}
