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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.cloud.autoconfigure.ConfigurationPropertiesRebinderAutoConfiguration;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.loadbalancer.config.LoadBalancerAutoConfiguration;
import org.springframework.cloud.client.loadbalancer.reactive.ReactiveLoadBalancer;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rules changed in the Environment apply to the next request once an
 * {@link EnvironmentChangeEvent} is published (as the config module's refresh does), with
 * Spring Cloud's rebinder in the context as in a real application.
 */
@ExtendWith(OutputCaptureExtension.class)
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
	void percentageOverHundredShouldBeRejectedKeepingThePreviousRules(CapturedOutput output) {
		this.runner.run((context) -> {
			ReactiveLoadBalancer<ServiceInstance> balancer = ordersWithV1AndV2(context);
			change(context, RULES + "canary.v2=100");

			change(context, RULES + "canary.v2=150");

			GrayRulesSource source = context.getBean(GrayRulesSource.class);
			assertThat(source.current().ruleFor("orders").canaries())
				.containsExactly(new GrayRules.Canary("v2", 10_000));
			assertThat(source.getLastRejection()).contains("canary.v2 is 150.0%, must be between 0 and 100");
			assertThat(Requests.choose(balancer).getMetadata()).containsEntry("version", "v2");
			assertThat(output.getOut().split("Rejected a change of the load-balancer rules", -1)).hasSize(2);
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
	void unrelatedEnvironmentChangeShouldLeaveRulesAlone() {
		this.runner.run((context) -> {
			GrayRules before = context.getBean(GrayRulesSource.class).current();
			TestPropertyValues.of(RULES + "canary.v2=50").applyTo(context.getSourceApplicationContext());
			context.publishEvent(new EnvironmentChangeEvent(context.getSourceApplicationContext(), Set.of("greeting")));
			assertThat(context.getBean(GrayRulesSource.class).current()).isSameAs(before);
		});
	}

	@Test
	void valueThatCannotBeBoundShouldBeRejectedKeepingThePreviousRules() {
		NacosLoadBalancerProperties initial = new NacosLoadBalancerProperties();
		GrayRulesSource source = new GrayRulesSource(initial, (serviceId) -> List.of());
		GrayRules before = source.current();
		MockEnvironment environment = new MockEnvironment().withProperty(RULES + "canary.v2", "ten");
		new GrayRulesRefresher(environment, source)
			.onApplicationEvent(new EnvironmentChangeEvent(environment, Set.of(RULES + "canary.v2")));
		assertThat(source.current()).isSameAs(before);
		assertThat(source.getLastRejection()).contains(NacosLoadBalancerProperties.PREFIX);
	}

	@Test
	void environmentVariableStyleKeysShouldTriggerARebind() {
		GrayRulesSource source = new GrayRulesSource(new NacosLoadBalancerProperties(), (serviceId) -> List.of());
		StandardEnvironment environment = new StandardEnvironment();
		TestPropertyValues.of(RULES + "canary.v2=5").applyTo(environment);
		new GrayRulesRefresher(environment, source).onApplicationEvent(new EnvironmentChangeEvent(environment,
				Set.of("SPRING_CLOUD_NACOS_LOADBALANCER_SERVICES_ORDERS_CANARY_V2")));
		assertThat(source.current().ruleFor("orders").canaries()).containsExactly(new GrayRules.Canary("v2", 500));
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
