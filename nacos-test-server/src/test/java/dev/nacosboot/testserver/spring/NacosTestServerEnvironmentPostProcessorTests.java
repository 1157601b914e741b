package dev.nacosboot.testserver.spring;

import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTarget;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The Spring hook starts a server per application context, early enough for config data,
 * and stops it with the context.
 */
class NacosTestServerEnvironmentPostProcessorTests {

	@BeforeEach
	void embeddedOnly() {
		assumeThat(NacosTarget.externalServerAddr(System.getenv())).as("no external NACOS_SERVER_ADDR").isEmpty();
	}

	@Test
	void enabledHookStartsAServerPointsTheClientAtItAndStopsItWithTheContext() {
		ConfigurableApplicationContext context = run("--nacos.test-server.enabled=true");
		NacosTestServer server = context.getBean(NacosTestServer.class);
		assertThat(server.isRunning()).isTrue();
		assertThat(context.getEnvironment().getProperty("spring.cloud.nacos.server-addr"))
			.isEqualTo(server.serverAddr());

		context.close();

		assertThat(server.isRunning()).isFalse();
	}

	@Test
	void twoContextsGetTwoServers() {
		try (ConfigurableApplicationContext first = run("--nacos.test-server.enabled=true");
				ConfigurableApplicationContext second = run("--nacos.test-server.enabled=true")) {
			assertThat(first.getBean(NacosTestServer.class).port())
				.isNotEqualTo(second.getBean(NacosTestServer.class).port());
		}
	}

	@Test
	void hookIsOffByDefault() {
		try (ConfigurableApplicationContext context = run()) {
			assertThat(context.getBeansOfType(NacosTestServer.class)).isEmpty();
			assertThat(context.getEnvironment().containsProperty("spring.cloud.nacos.server-addr")).isFalse();
		}
	}

	private static ConfigurableApplicationContext run(String... args) {
		return new SpringApplicationBuilder(Empty.class).web(WebApplicationType.NONE).run(args);
	}

	@Configuration(proxyBeanMethods = false)
	static class Empty {

	}

}
