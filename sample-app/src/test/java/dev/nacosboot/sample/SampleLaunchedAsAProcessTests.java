package dev.nacosboot.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's command, as a user runs it: {@code spring-boot:test-run} forks a JVM with
 * the test class path and runs {@link TestSampleApplication}; this test does the same,
 * reads the ready line, drives the demo over HTTP and stops it with SIGTERM (Ctrl-C).
 */
class SampleLaunchedAsAProcessTests {

	private static final Pattern READY = Pattern.compile("Sample ready: page http://localhost:(\\d+)/");

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void readmeCommandStartsTheDemoThatRoutesGrayRequestsAndStopsOnSigterm(@TempDir Path dir) throws Exception {
		Path log = dir.resolve("sample.log");
		Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), "-DJM.SNAPSHOT.PATH=" + dir.resolve("nacos-cache"),
				"-DJM.LOG.PATH=" + dir.resolve("nacos-logs"), TestSampleApplication.class.getName(), "--server.port=0",
				"--demo.v1-port=0", "--demo.v2-port=0", "--demo.remove-configs-on-close=true",
				"--spring.cloud.nacos.namespace=sample-process-" + UUID.randomUUID())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		try {
			Matcher ready = READY.matcher("");
			await().atMost(Duration.ofSeconds(120))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> !process.isAlive() || ready.reset(Files.readString(log)).find());
			assertThat(process.isAlive()).as("the sample is running; its output: %s", Files.readString(log)).isTrue();
			String page = "http://localhost:" + ready.group(1);

			assertThat(get(page + "/", null).body()).contains("Traffic split");
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(get(page + "/api/greet", "v2").body()).contains("\"v2\""));
			assertThat(get(page + "/api/greet", "v1").body()).contains("\"v1\"");
			assertThat(get(page + "/actuator/health", null).statusCode()).isEqualTo(200);

			process.destroy();
			assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
		}
		finally {
			process.destroyForcibly();
		}
	}

	private HttpResponse<String> get(String url, String grayVersion) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
		if (grayVersion != null) {
			request.header("X-Gray-Version", grayVersion);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
