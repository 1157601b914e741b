package dev.nacosboot.core;

import java.time.Duration;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.config.NacosConfigSources;
import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.bootstrap.BootstrapRegistry.InstanceSupplier;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.util.AopTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Connection details given in code instead of properties reach every client, the config
 * import's included, on the embedded test server or, with {@code NACOS_SERVER_ADDR}, a
 * real Nacos.
 */
class NacosConnectionDetailsIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static String group;

	private static ConfigService operator;

	@BeforeAll
	static void publish() throws Exception {
		group = nacos.target().unique("details");
		operator = NacosFactory.createConfigService(nacos.target().clientProperties());
		operator.publishConfig("details.properties", group, "details.value=from-nacos\n", "properties");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> operator.getConfig("details.properties", group, 3000) != null);
	}

	@AfterAll
	static void remove() throws Exception {
		operator.removeConfig("details.properties", group);
		operator.shutDown();
	}

	@Test
	void detailsRegisteredInTheBootstrapContextShouldServeTheImportAndBecomeTheBean() {
		NacosConnectionDetails details = new TargetDetails(nacos.target());
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
			.web(WebApplicationType.NONE)
			.addBootstrapRegistryInitializer(
					(registry) -> registry.register(NacosConnectionDetails.class, InstanceSupplier.of(details)))
			// Wrong on purpose: the details must win over the properties.
			.properties("spring.cloud.nacos.server-addr=127.0.0.1:1", "spring.jmx.enabled=false",
					"spring.config.import=nacos:details.properties?group=" + group,
					"spring.cloud.nacos.discovery.enabled=false")
			.run()) {
			assertThat(context.getEnvironment().getProperty("details.value")).isEqualTo("from-nacos");
			assertThat(context.getBean(NacosConnectionDetails.class)).isSameAs(details);
			// The bean's first call creates the client, the one the import's listener
			// uses.
			ConfigService client = AopTestUtils.getTargetObject(context.getBean(ConfigService.class));
			assertThat(context.getBean(NacosConfigSources.class).clients()).containsExactly(client);
		}
	}

	@Test
	void detailsRegisteredInTheBootstrapContextShouldBecomeTheBeanWithoutAnImport() throws Exception {
		NacosConnectionDetails details = new TargetDetails(nacos.target());
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
			.web(WebApplicationType.NONE)
			.addBootstrapRegistryInitializer(
					(registry) -> registry.register(NacosConnectionDetails.class, InstanceSupplier.of(details)))
			// Empty on purpose (an unset ${NACOS_ADDR:}): details replace it, so it is
			// not
			// checked.
			.properties("spring.cloud.nacos.server-addr=", "spring.jmx.enabled=false",
					"spring.application.name=details", "spring.cloud.service-registry.auto-registration.enabled=false")
			.run()) {
			assertThat(context.getBean(NacosConnectionDetails.class)).isSameAs(details);
			assertThat(context.getBean(com.alibaba.nacos.api.naming.NamingService.class).getServerStatus())
				.isEqualTo("UP");
		}
	}

	@SpringBootApplication
	static class Application {

	}

	/** Points at the test class's server, as a user's own details bean would. */
	record TargetDetails(NacosTarget target) implements NacosConnectionDetails {

		@Override
		public String getServerAddr() {
			return this.target.serverAddr();
		}

		@Override
		public @Nullable String getUsername() {
			return this.target.username().orElse(null);
		}

		@Override
		public @Nullable String getPassword() {
			return this.target.password().orElse(null);
		}

	}

}
