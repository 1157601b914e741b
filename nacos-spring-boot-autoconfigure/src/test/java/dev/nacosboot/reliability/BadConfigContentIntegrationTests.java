package dev.nacosboot.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.config.NacosConfigRefreshHistory;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Malformed, hostile or oversized config content published to Nacos: the application
 * keeps running with the last good values, reports the problem once with the data id, and
 * never builds more than the limits allow.
 */
@ExtendWith(OutputCaptureExtension.class)
class BadConfigContentIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final String GOOD = "reliability:\n  value: good\n";

	private static String group;

	private static String dataId;

	private static ConfigService publisher;

	private static ConfigurableApplicationContext app;

	private static int round;

	@BeforeAll
	static void start() throws Exception {
		group = nacos.target().unique("badcfg");
		dataId = nacos.target().unique("bad-content") + ".yaml";
		Properties properties = nacos.target().clientProperties();
		// A real Nacos takes more than the client's default 3 s to store the 5 MB
		// document
		// on a busy machine.
		properties.setProperty(PropertyKeyConst.CONFIG_REQUEST_TIMEOUT, "30000");
		publisher = NacosFactory.createConfigService(properties);
		publish(GOOD);
		// A real Nacos stores a publish asynchronously: the required import must not
		// start before the server answers reads with it.
		await().atMost(Duration.ofSeconds(10)).until(() -> GOOD.equals(publisher.getConfig(dataId, group, 3000)));
		app = ReliabilityApps.consumer(nacos.target(), group,
				"spring.config.import=nacos:" + dataId + "?group=" + group + "&refresh=true");
		assertThat(app.getEnvironment().getProperty("reliability.value")).isEqualTo("good");
	}

	@AfterAll
	static void stop() throws Exception {
		if (app != null) {
			app.close();
		}
		publisher.removeConfig(dataId, group);
		publisher.shutDown();
	}

	static Stream<Arguments> badContent() {
		byte[] random = new byte[4096];
		new Random(10).nextBytes(random);
		String deep = "reliability:\n  deep: " + "{a: ".repeat(5000) + "x" + "}".repeat(5000) + "\n";
		StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
		for (int i = 1; i < 10; i++) {
			bomb.append("a").append(i).append(": &a").append(i).append(" [");
			for (int j = 0; j < 10; j++) {
				bomb.append((j > 0) ? ", " : "").append("*a").append(i - 1);
			}
			bomb.append("]\n");
		}
		// 5 MB, above the 3 Mi characters allowed: a 10 MB document does not fit the
		// client's 10 MiB gRPC message
		// limit, so it never reaches the application (the client logs that it cannot read
		// it, the last good
		// content stays); one that does reach it must be refused by the parser.
		String big = "reliability:\n  value: big\n  filler: " + "x".repeat(5 * 1024 * 1024) + "\n";
		String utf16 = new String("reliability:\n  value: wrong-encoding\n".getBytes(StandardCharsets.UTF_16),
				StandardCharsets.ISO_8859_1);
		return Stream.of(Arguments.of("random bytes", new String(random, StandardCharsets.ISO_8859_1)),
				Arguments.of("5000 levels of nesting", deep),
				Arguments.of("alias bomb (10^10 values)", bomb.toString()),
				Arguments.of("recursive alias", "reliability: &r\n  value: loop\n  self: *r\n"),
				Arguments.of("duplicate keys", "reliability:\n  value: first\n  value: second\n"),
				Arguments.of("UTF-16 content", utf16),
				Arguments.of("JSON in a YAML data id, malformed", "{\"reliability\": {\"value\": \"json\""),
				Arguments.of("5 MB document", big));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badContent")
	void badContentKeepsTheLastGoodValuesAndIsReportedOnceWithTheDataId(String kind, String content,
			CapturedOutput output) throws Exception {
		NacosConfigRefreshHistory history = app.getBean(NacosConfigRefreshHistory.class);
		int before = output.getAll().length();
		publishGood();
		Instant since = Instant.now();
		publish(content);
		await().atMost(Duration.ofSeconds(60)).until(() -> failures(history, since) > 0);
		// The failure and then a good change: the good one proves the bad one was fully
		// handled.
		publishGood();
		assertThat(app.isActive()).isTrue();
		String log = output.getAll().substring(before);
		long errorLines = log.lines().filter((line) -> line.contains("ERROR") && line.contains(dataId)).count();
		String failure = history.refreshes()
			.stream()
			.filter((r) -> r.outcome().isFailure())
			.findFirst()
			.orElseThrow()
			.error();
		System.out.printf("[figures] %s: %s%n", kind, failure);
		assertThat(errorLines).as("error lines naming %s in%n%s", dataId, log).isEqualTo(1);
		assertThat(failure).contains(dataId);
		assertThat(failures(history, since)).isEqualTo(1);
		System.gc();
		Runtime runtime = Runtime.getRuntime();
		System.out.printf("[figures] %s: heap in use after GC %d MB%n", kind,
				(runtime.totalMemory() - runtime.freeMemory()) / (1024 * 1024));
	}

	@Test
	void unknownFormatOfAnOptionalImportStartsWithoutItAndSaysWhy(CapturedOutput output) throws Exception {
		String unknown = nacos.target().unique("settings") + ".toml";
		String toml = "[reliability]\nvalue = \"toml\"\n";
		assertThat(publisher.publishConfig(unknown, group, toml, "text")).isTrue();
		// A real Nacos stores a publish asynchronously: an application started right away
		// could find nothing and would have nothing to say about the format.
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> toml.equals(publisher.getConfig(unknown, group, 3000)));
		try (ConfigurableApplicationContext other = TestApps.consumer(nacos.target(), group,
				"spring.config.import=optional:nacos:" + unknown + "?group=" + group)) {
			assertThat(other.isActive()).isTrue();
			assertThat(other.getEnvironment().getProperty("reliability.value")).isNull();
		}
		finally {
			publisher.removeConfig(unknown, group);
		}
		assertThat(output.getAll().lines().filter((line) -> line.contains(unknown) && line.contains("unknown format")))
			.hasSize(1);
	}

	@Test
	void unknownFormatOfAnOptionalImportPublishedAfterStartupIsRefusedNotMisread() throws Exception {
		String unknown = nacos.target().unique("late") + ".toml";
		try (ConfigurableApplicationContext other = TestApps.consumer(nacos.target(), group,
				"spring.config.import=optional:nacos:" + unknown + "?group=" + group)) {
			NacosConfigRefreshHistory history = other.getBean(NacosConfigRefreshHistory.class);
			assertThat(publisher.publishConfig(unknown, group, "value = \"toml\"\n", "text")).isTrue();

			await().atMost(Duration.ofSeconds(30))
				.until(() -> history.lastFailures()
					.values()
					.stream()
					.anyMatch((failure) -> failure.dataId().equals(unknown)
							&& failure.outcome() == NacosConfigRefreshHistory.Outcome.INVALID && failure.error() != null
							&& failure.error().contains("unknown format")));
			assertThat(other.getEnvironment().getProperty("value")).isNull();
		}
		finally {
			publisher.removeConfig(unknown, group);
		}
	}

	private static void publishGood() throws Exception {
		String good = "reliability:\n  value: good\n  round: " + (++round) + "\n";
		publish(good);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> String.valueOf(round).equals(app.getEnvironment().getProperty("reliability.round")));
		assertThat(app.getEnvironment().getProperty("reliability.value")).isEqualTo("good");
	}

	private static long failures(NacosConfigRefreshHistory history, Instant since) {
		return history.refreshes()
			.stream()
			.filter((r) -> r.dataId().equals(dataId) && r.outcome().isFailure() && !r.time().isBefore(since))
			.count();
	}

	private static void publish(String content) throws Exception {
		if (content.length() > 4 * 1024 * 1024 && !nacos.target().isExternal()) {
			// Larger than the test server accepts over gRPC from a client; an operator's
			// console has no such limit.
			nacos.target().server().publishConfig(null, group, dataId, content, "yaml");
			return;
		}
		assertThat(publisher.publishConfig(dataId, group, content, "yaml")).isTrue();
	}

}
