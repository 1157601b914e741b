package dev.nacosboot.config;

import java.time.Duration;

import dev.nacosboot.core.NacosUnavailableException;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Startup while the server is unreachable. Needs the embedded server's control API
 * (stop/start), so it is skipped against an external Nacos.
 */
@ExtendWith(OutputCaptureExtension.class)
class NacosConfigStartupIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@AfterEach
	void startServerAgain() {
		if (!nacos.target().isExternal()) {
			nacos.target().server().start();
		}
	}

	private static ConfigurableApplicationContext run(String... args) {
		return new SpringApplicationBuilder(TestApplication.class).web(WebApplicationType.NONE)
			.run(ConfigImportTestSupport.args(nacos.target(), args));
	}

	@Test
	void serverDownUsesTheLocalSnapshotWithAWarningNamingTheDataId(CapturedOutput output) {
		NacosTestServer server = nacos.target().server();
		String group = nacos.target().unique("snapshot");
		server.publishConfig(null, group, "snap.properties", "snap=from-server\n", "properties");
		String importArg = "--spring.config.import=nacos:snap.properties?group=" + group;
		// The client's snapshot is written once the first run listens.
		ConfigImportTestSupport.listening(run(importArg)).close();
		server.stop();

		long start = System.nanoTime();
		try (ConfigurableApplicationContext context = run(importArg)) {
			System.out.printf("startup with the server down, from the snapshot: %.0f ms%n",
					(System.nanoTime() - start) / 1e6);
			assertThat(context.getEnvironment().getProperty("snap")).isEqualTo("from-server");
			assertThat(output).contains("using the local snapshot of Nacos config 'snap.properties'").contains(" ago ");
		}
	}

	@Test
	void serverDownWithoutASnapshotFailsWithAnAnalysis() {
		NacosTestServer server = nacos.target().server();
		server.stop();

		assertThatException()
			.isThrownBy(() -> run(
					"--spring.config.import=nacos:never-loaded.properties?group=" + nacos.target().unique("nosnap")))
			.isInstanceOf(NacosConfigLoadException.class)
			.satisfies((ex) -> assertThat(new NacosConfigLoadFailureAnalyzer().analyze(ex).getDescription())
				.contains("never-loaded.properties")
				.contains("unreachable")
				.contains("no local snapshot"));
	}

	@Test
	void failFastRefusesTheSnapshot() {
		NacosTestServer server = nacos.target().server();
		String group = nacos.target().unique("failfast");
		server.publishConfig(null, group, "ff.properties", "ff=1\n", "properties");
		String importArg = "--spring.config.import=nacos:ff.properties?group=" + group;
		// The client's snapshot is written once the first run listens.
		ConfigImportTestSupport.listening(run(importArg)).close();
		server.stop();

		assertThatException().isThrownBy(() -> run(importArg, "--spring.cloud.nacos.config.fail-fast=true"))
			.isInstanceOf(NacosUnavailableException.class)
			.satisfies((ex) -> assertThat(((NacosUnavailableException) ex).getFailFastProperty())
				.isEqualTo("spring.cloud.nacos.config.fail-fast"));
	}

	@Test
	void optionalImportStartsWhileTheServerIsDownAndLoadsOnceItIsBack() {
		NacosTestServer server = nacos.target().server();
		String group = nacos.target().unique("optional");
		server.publishConfig(null, group, "back.properties", "back=yes\n", "properties");
		server.stop();

		try (ConfigurableApplicationContext context = run(
				"--spring.config.import=optional:nacos:back.properties?group=" + group)) {
			assertThat(context.getEnvironment().getProperty("back")).isNull();

			server.start();

			await().atMost(TIMEOUT).until(() -> "yes".equals(context.getEnvironment().getProperty("back")));
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
