package dev.nacosboot.test;

import java.time.Duration;
import java.util.Properties;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.config.NacosConfigAutoConfiguration;
import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.discovery.NacosDiscoveryAutoConfiguration;
import dev.nacosboot.registry.NacosRegistration;
import dev.nacosboot.registry.NacosRegistryAutoConfiguration;
import dev.nacosboot.registry.NacosServiceRegistry;
import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The details of a test class's server as a bean of an {@code ApplicationContextRunner}:
 * every client of the starter connects through them, on the embedded server or, with
 * {@code NACOS_SERVER_ADDR}, a real Nacos.
 */
class NacosTestServerConnectionDetailsBeanTests {

	/**
	 * Longest wait for something to travel through Nacos; a real server batches pushes.
	 */
	private static final Duration PUSH = Duration.ofSeconds(30);

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(NacosCoreAutoConfiguration.class, NacosDiscoveryAutoConfiguration.class,
						NacosRegistryAutoConfiguration.class, NacosConfigAutoConfiguration.class))
		.withPropertyValues("spring.application.name=details-bean-tests");

	@Test
	void registrationAndDiscoveryShouldUseTheDetails() {
		NacosTarget target = nacos.target();
		String group = target.unique("details-bean");
		String service = target.unique("details-orders");
		runnerWith(NacosTestServerConnectionDetails.of(target))
			.withPropertyValues("spring.application.name=" + service, "spring.cloud.nacos.discovery.group=" + group,
					"spring.cloud.nacos.discovery.ip=127.0.0.1", "spring.cloud.nacos.discovery.port=9090")
			.run((context) -> {
				assertThat(context.getEnvironment().containsProperty("spring.cloud.nacos.server-addr")).isFalse();
				registerReady(context);
				DiscoveryClient discovery = context.getBean(DiscoveryClient.class);
				await().atMost(PUSH)
					.untilAsserted(
							() -> assertThat(discovery.getInstances(service)).extracting(ServiceInstance::getPort)
								.containsExactly(9090));
				if (!target.isExternal()) {
					assertThat(target.server().instances(null, group, service)).singleElement()
						.satisfies((instance) -> assertThat(instance.getPort()).isEqualTo(9090));
				}
			});
	}

	@Test
	void theConfigServiceBeanShouldReadThroughTheDetails() throws Exception {
		NacosTarget target = nacos.target();
		String group = target.unique("details-bean");
		ConfigService operator = NacosFactory.createConfigService(target.clientProperties());
		try {
			operator.publishConfig("details-bean.properties", group, "greeting=hello", "properties");
			runnerWith(NacosTestServerConnectionDetails.of(target)).run((context) -> {
				ConfigService configService = context.getBean(ConfigService.class);
				await().atMost(PUSH)
					.until(() -> "greeting=hello"
						.equals(configService.getConfig("details-bean.properties", group, 3000)));
			});
		}
		finally {
			operator.removeConfig("details-bean.properties", group);
			operator.shutDown();
		}
	}

	@Test
	void detailsWithANamespaceShouldReadThatNamespace() throws Exception {
		NacosTarget target = nacos.target();
		String namespace = target.unique("details-ns");
		Properties properties = target.clientProperties(namespace);
		ConfigService operator = NacosFactory.createConfigService(properties);
		try {
			operator.publishConfig("details-ns.properties", "DEFAULT_GROUP", "scope=namespace", "properties");
			runnerWith(NacosTestServerConnectionDetails.of(target).withNamespace(namespace)).run((context) -> {
				ConfigService configService = context.getBean(ConfigService.class);
				await().atMost(PUSH)
					.until(() -> "scope=namespace"
						.equals(configService.getConfig("details-ns.properties", "DEFAULT_GROUP", 3000)));
			});
		}
		finally {
			operator.removeConfig("details-ns.properties", "DEFAULT_GROUP");
			operator.shutDown();
		}
	}

	@Test
	void theDetailsShouldWinOverServerAddressProperties() {
		NacosTarget target = nacos.target();
		String group = target.unique("details-bean");
		String service = target.unique("details-winner");
		// An application.yml's address that the test must not reach.
		runnerWith(NacosTestServerConnectionDetails.of(target))
			.withPropertyValues("spring.cloud.nacos.server-addr=127.0.0.1:1", "spring.application.name=" + service,
					"spring.cloud.nacos.discovery.group=" + group, "spring.cloud.nacos.discovery.ip=127.0.0.1",
					"spring.cloud.nacos.discovery.port=9091")
			.run((context) -> {
				assertThat(context).hasSingleBean(NacosConnectionDetails.class);
				assertThat(context.getBean(NacosConnectionDetails.class).getServerAddr())
					.isEqualTo(target.serverAddr());
				registerReady(context);
				DiscoveryClient discovery = context.getBean(DiscoveryClient.class);
				await().atMost(PUSH).until(() -> discovery.getInstances(service).size() == 1);
			});
	}

	/**
	 * Registers the application's instance and declares it ready, as a started
	 * application does.
	 */
	private static void registerReady(AssertableApplicationContext context) {
		context.getBean(NacosServiceRegistry.class).register(context.getBean(NacosRegistration.class));
		AvailabilityChangeEvent.publish(context, context.getSourceApplicationContext(),
				ReadinessState.ACCEPTING_TRAFFIC);
	}

	private ApplicationContextRunner runnerWith(NacosConnectionDetails details) {
		return this.runner.withBean(NacosConnectionDetails.class, () -> details);
	}

}
