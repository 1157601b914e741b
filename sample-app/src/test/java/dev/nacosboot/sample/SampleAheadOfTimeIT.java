package dev.nacosboot.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged sample, processed ahead of time by the build ({@code process-aot}), run as
 * a user runs it: {@code java -Dspring.aot.enabled=true -jar}. It starts on the generated
 * bean definitions, reads its config from Nacos, and a published change reaches its
 * {@code @RefreshScope} bean (served by the starter while Spring Cloud's refresh scope is
 * off, as AOT needs), its {@code @Value} field and its {@code @ConfigurationProperties}.
 */
class SampleAheadOfTimeIT {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void processedJarStartsAndAppliesConfigChangesToRefreshScopeValueAndProperties(@TempDir Path dir) throws Exception {
		NacosTarget target = nacos.target();
		String namespace = "sample-aot-" + UUID.randomUUID();
		Path log = dir.resolve("sample.log");
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dspring.aot.enabled=true",
				"-DJM.SNAPSHOT.PATH=" + dir.resolve("nacos-cache"), "-DJM.LOG.PATH=" + dir.resolve("nacos-logs"),
				"-jar", packagedJar().toString(), "--server.port=0", "--spring.cloud.nacos.namespace=" + namespace));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
		Map<String, String> environment = builder.environment();
		environment.put("NACOS_SERVER_ADDR", target.serverAddr());
		target.username().ifPresent((name) -> environment.put("NACOS_USERNAME", name));
		target.password().ifPresent((password) -> environment.put("NACOS_PASSWORD", password));
		Process process = builder.start();
		ConfigService configs = NacosFactory.createConfigService(target.clientProperties(namespace));
		try {
			Matcher started = PORT.matcher("");
			await().atMost(Duration.ofSeconds(120))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> !process.isAlive() || started.reset(Files.readString(log)).find());
			assertThat(process.isAlive()).as("the processed sample is running; its output: %s", Files.readString(log))
				.isTrue();
			String base = "http://localhost:" + started.group(1);

			JsonNode before = state(base);
			assertThat(value(before, "sample.announcement")).isEqualTo("No announcement yet");
			String builtAt = before.get("announcementCreatedAt").asString();

			HttpResponse<String> published = this.http
				.send(HttpRequest.newBuilder(URI.create(base + "/api/configs/greeting-consumer.yaml"))
					.header("Content-Type", "text/plain")
					.POST(HttpRequest.BodyPublishers.ofString("""
							sample:
							  announcement: Processed ahead of time
							  theme-color: "#c05621"
							  greeting:
							    salutation: Hi
							"""))
					.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(published.statusCode()).isEqualTo(200);

			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				JsonNode after = state(base);
				assertThat(value(after, "sample.announcement")).isEqualTo("Processed ahead of time");
				assertThat(value(after, "sample.theme-color")).isEqualTo("#c05621");
				assertThat(value(after, "sample.greeting.salutation")).isEqualTo("Hi");
				assertThat(after.get("announcementCreatedAt").asString()).as("the @RefreshScope bean was rebuilt")
					.isNotEqualTo(builtAt);
			});
			assertThat(Files.readString(log)).doesNotContain("No Scope registered").doesNotContain(" ERROR ");

			process.destroy();
			assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
		}
		finally {
			process.destroyForcibly();
			configs.removeConfig("greeting-consumer.yaml", "DEFAULT_GROUP");
			configs.shutDown();
		}
	}

	private JsonNode state(String base) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create(base + "/api/state")).timeout(Duration.ofSeconds(10)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	private static String value(JsonNode state, String key) {
		for (JsonNode entry : state.get("config")) {
			if (entry.get("key").asString().equals(key)) {
				return entry.get("value").asString();
			}
		}
		throw new AssertionError("no " + key + " in " + state);
	}

	/** The jar the build packaged (and processed ahead of time) before this test runs. */
	private static Path packagedJar() throws IOException {
		try (Stream<Path> files = Files.list(Path.of("target"))) {
			return files.filter((file) -> file.getFileName().toString().matches("sample-app-.*\\.jar"))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("no packaged sample-app jar in target/: run mvn verify"));
		}
	}

}
