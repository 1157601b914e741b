package dev.nacosboot.config;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The startup read over HTTP against a server with auth on: the import logs in over HTTP
 * and needs no config client before ready; a wrong password (or none) fails a required
 * import with an explanation and starts without an optional one, and no secret shows.
 * Against an external Nacos, {@code NACOS_USERNAME}/{@code NACOS_PASSWORD} say whether
 * auth is on; the refusal checks need it.
 */
@ExtendWith(OutputCaptureExtension.class)
class NacosConfigHttpAuthIntegrationTests {

	private static final String USER = "config-reader";

	private static final String PASSWORD = "Reader-Secret-1";

	@RegisterExtension
	static final NacosTestServerExtension nacos = NacosTestServerExtension.withAuth(USER, PASSWORD);

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final AtomicReference<List<ConfigService>> clientsBeforeReady = new AtomicReference<>();

	private static final AtomicReference<Long> tokensBeforeReady = new AtomicReference<>();

	private static final AtomicReference<Long> httpReadsBeforeReady = new AtomicReference<>();

	private static String group;

	private static ConfigPublisher publisher;

	@BeforeAll
	static void publish() {
		group = nacos.target().unique("auth");
		publisher = new ConfigPublisher(nacos.target());
		publisher.publishReadable("auth.properties", group, "auth.value=secured\n", "properties");
	}

	@AfterAll
	static void cleanUp() throws Exception {
		publisher.close();
	}

	@Test
	void importLogsInOverHttpAndNeedsNoConfigClientBeforeReady() {
		long tokensBefore = nacos.target().isExternal() ? 0 : nacos.target().server().tokensIssued();
		long httpReadsBefore = httpConfigReads();
		String dataId = "auth-live-" + System.nanoTime() + ".properties";
		publisher.publishReadable(dataId, group, "auth.live=one\n", "properties");
		try (ConfigurableApplicationContext context = run(nacos.target().password().orElse(""),
				"--spring.config.import=nacos:auth.properties;" + dataId + "?group=" + group)) {
			assertThat(context.getEnvironment().getProperty("auth.value")).isEqualTo("secured");
			assertThat(clientsBeforeReady.get()).isEmpty();
			if (!nacos.target().isExternal()) {
				// One login over HTTP for both data ids, then both read over HTTP.
				assertThat(tokensBeforeReady.get()).isEqualTo(tokensBefore + 1);
				assertThat(httpReadsBeforeReady.get()).isEqualTo(httpReadsBefore + 2);
			}

			ConfigImportTestSupport.listening(context);
			publisher.publish(dataId, group, "auth.live=two\n", "properties");

			await().atMost(TIMEOUT).until(() -> "two".equals(context.getEnvironment().getProperty("auth.live")));
		}
	}

	@Test
	void wrongPasswordFailsARequiredImportWithAnExplanationAndShowsNoSecret(CapturedOutput output) {
		assumeTrue(nacos.target().username().isPresent(), "needs a server with auth on");
		String wrong = "Wrong-" + PASSWORD;

		assertThatException()
			.isThrownBy(() -> run(wrong, "--spring.config.import=nacos:auth.properties?group=" + group))
			.isInstanceOf(NacosConfigLoadException.class)
			.satisfies((ex) -> {
				FailureAnalysis analysis = new NacosConfigLoadFailureAnalyzer().analyze(ex);
				assertThat(analysis.getDescription()).contains("auth.properties")
					.contains("the server refused the read")
					.contains("Code: 401");
				assertThat(analysis.getAction()).contains("spring.cloud.nacos.username/password");
				assertThat(stackTraceOf(ex)).doesNotContain(wrong).doesNotContain(PASSWORD);
			});
		assertThat(output.getAll()).doesNotContain(wrong).doesNotContain(PASSWORD);
	}

	@Test
	void missingCredentialsAreRefusedTheSameWay() {
		assumeTrue(nacos.target().username().isPresent(), "needs a server with auth on");
		List<String> args = new ArrayList<>(List.of(ConfigImportTestSupport.args(nacos.target(),
				"--spring.config.import=nacos:auth.properties?group=" + group)));
		args.removeIf((arg) -> arg.startsWith("--spring.cloud.nacos.username=")
				|| arg.startsWith("--spring.cloud.nacos.password="));

		assertThatException().isThrownBy(() -> start(args.toArray(String[]::new)))
			.isInstanceOf(NacosConfigLoadException.class)
			.withMessageContaining("the server refused the read");
	}

	@Test
	void wrongPasswordStartsWithoutAnOptionalImport(CapturedOutput output) {
		assumeTrue(nacos.target().username().isPresent(), "needs a server with auth on");
		try (ConfigurableApplicationContext context = run("Wrong-" + PASSWORD,
				"--spring.config.import=optional:nacos:auth.properties?group=" + group)) {
			assertThat(context.getEnvironment().getProperty("auth.value")).isNull();
			assertThat(output).contains("Starting without Nacos config 'auth.properties'");
		}
	}

	private static ConfigurableApplicationContext run(String password, String... args) {
		List<String> all = new ArrayList<>(List.of(ConfigImportTestSupport.args(nacos.target(), args)));
		all.removeIf((arg) -> arg.startsWith("--spring.cloud.nacos.password="));
		all.add("--spring.cloud.nacos.password=" + password);
		return start(all.toArray(String[]::new));
	}

	private static ConfigurableApplicationContext start(String[] args) {
		clientsBeforeReady.set(null);
		return new SpringApplicationBuilder(TestApplication.class).web(WebApplicationType.NONE).run(args);
	}

	private static long httpConfigReads() {
		return nacos.target().isExternal() ? 0 : nacos.target().server().httpRequestCount("/nacos/v3/client/cs/config");
	}

	private static String stackTraceOf(Throwable ex) {
		StringWriter trace = new StringWriter();
		ex.printStackTrace(new PrintWriter(trace));
		return trace.toString();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		ApplicationRunner configClientsBeforeReady(ConfigurableApplicationContext context) {
			return (args) -> {
				clientsBeforeReady.set(context.getBean(NacosConfigSources.class).clients());
				tokensBeforeReady.set(nacos.target().isExternal() ? 0 : nacos.target().server().tokensIssued());
				httpReadsBeforeReady.set(httpConfigReads());
			};
		}

	}

}
