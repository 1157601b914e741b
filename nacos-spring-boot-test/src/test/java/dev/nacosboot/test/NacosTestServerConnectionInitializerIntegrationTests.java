package dev.nacosboot.test;

import java.time.Duration;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Applications started with {@link NacosTestServerConnectionInitializer} for the server
 * of a JUnit extension: the config import reads through the details, and they are the
 * bean of discovery and registration, with or without an import. On the embedded server
 * or, with {@code NACOS_SERVER_ADDR}, a real Nacos.
 */
class NacosTestServerConnectionInitializerIntegrationTests {

	/**
	 * Longest wait for something to travel through Nacos; a real server batches pushes.
	 */
	private static final Duration PUSH = Duration.ofSeconds(30);

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static String group;

	private static ConfigService operator;

	@BeforeAll
	static void publish() throws Exception {
		group = nacos.target().unique("initializer");
		operator = NacosFactory.createConfigService(nacos.target().clientProperties());
		operator.publishConfig("initializer.properties", group, "initializer.greeting=from-nacos", "properties");
		// A real Nacos stores a publish asynchronously: the import must find it at
		// startup.
		await().atMost(PUSH).until(() -> operator.getConfig("initializer.properties", group, 3000) != null);
	}

	@AfterAll
	static void remove() throws Exception {
		operator.removeConfig("initializer.properties", group);
		operator.shutDown();
	}

	@Test
	void theImportRegistrationAndDiscoveryShouldUseTheDetails() {
		NacosTarget target = nacos.target();
		String service = target.unique("initializer-orders");
		try (ConfigurableApplicationContext context = run(target, "spring.application.name=" + service,
				"spring.config.import=nacos:initializer.properties?group=" + group)) {
			assertThat(context.getEnvironment().getProperty("initializer.greeting")).isEqualTo("from-nacos");
			assertThat(context.getEnvironment().containsProperty("spring.cloud.nacos.server-addr")).isFalse();
			assertThat(context.getBean(NacosConnectionDetails.class).getServerAddr()).isEqualTo(target.serverAddr());
			int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			DiscoveryClient discovery = context.getBean(DiscoveryClient.class);
			await().atMost(PUSH)
				.untilAsserted(() -> assertThat(discovery.getInstances(service)).extracting(ServiceInstance::getPort)
					.containsExactly(port));
			if (!target.isExternal()) {
				assertThat(target.server().instances(null, group, service)).hasSize(1);
			}
		}
	}

	@Test
	void withoutANacosImportTheDetailsShouldStillBeTheBean() {
		NacosTarget target = nacos.target();
		String service = target.unique("initializer-no-import");
		NacosTestServerConnectionDetails details = NacosTestServerConnectionDetails.of(target);
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
			.web(WebApplicationType.SERVLET)
			.addBootstrapRegistryInitializer(NacosTestServerConnectionInitializer.of(details))
			.properties(common(group))
			.properties("spring.application.name=" + service)
			.run()) {
			assertThat(context.getBean(NacosConnectionDetails.class)).isSameAs(details);
			int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			DiscoveryClient discovery = context.getBean(DiscoveryClient.class);
			await().atMost(PUSH)
				.untilAsserted(() -> assertThat(discovery.getInstances(service)).extracting(ServiceInstance::getPort)
					.containsExactly(port));
		}
	}

	private static ConfigurableApplicationContext run(NacosTarget target, String... properties) {
		return new SpringApplicationBuilder(Application.class).web(WebApplicationType.SERVLET)
			.addBootstrapRegistryInitializer(NacosTestServerConnectionInitializer.of(target))
			.properties(common(group))
			.properties(properties)
			.run();
	}

	private static String[] common(String group) {
		return new String[] { "server.port=0", "spring.cloud.nacos.discovery.group=" + group,
				"spring.cloud.nacos.discovery.ip=127.0.0.1", "spring.jmx.enabled=false",
				"spring.main.banner-mode=off" };
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

	}

}
