package dev.nacosboot.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample as a user runs it (the README command's launcher: embedded server, seeds,
 * v1, v2, consumer), driven over HTTP only. Methods share one topology; the one that
 * stops a provider runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SampleAppEndToEndTests {

	private static final Duration PATIENCE = Duration.ofSeconds(60);

	private static DemoTopology topology;

	private static RestClient consumer;

	@BeforeAll
	static void startSample() {
		topology = DemoTopology.start(DemoTopology.testArguments());
		consumer = RestClient.create("http://localhost:" + topology.consumerPort());
		// Both providers are routable once the consumer's view lists them.
		await().atMost(PATIENCE).until(() -> state().get("instances").size() == 2);
	}

	@AfterAll
	static void stopSample() {
		if (topology != null) {
			topology.close();
		}
	}

	@Test
	@Order(1)
	void rootServesThePageAndItsScript() {
		assertThat(consumer.get().uri("/").retrieve().body(String.class)).contains("Traffic split", "app.js");
		assertThat(consumer.get().uri("/app.js").retrieve().body(String.class)).contains("api/state");
	}

	@Test
	@Order(2)
	void grayHeaderRoutesToThatVersion() {
		for (int i = 0; i < 5; i++) {
			assertThat(greet("v2", null).get("version").asString()).isEqualTo("v2");
			assertThat(greet("v1", null).get("version").asString()).isEqualTo("v1");
		}
	}

	@Test
	@Order(3)
	void rolloutPercentagePublishedToNacosMovesUntaggedTraffic() {
		assertThat(rollout(100).get("accepted").asBoolean()).isTrue();
		await().atMost(PATIENCE).until(() -> untaggedVersions().stream().allMatch("\"v2\""::equals));
		rollout(0);
		await().atMost(PATIENCE).until(() -> untaggedVersions().stream().allMatch("\"v1\""::equals));
	}

	@Test
	@Order(4)
	void invalidRolloutIsRefusedAndTheRulesInForceStay() {
		rollout(30);
		await().atMost(PATIENCE).until(() -> canaryPercent() == 30.0);
		rollout(500);
		// Refused where it is bound: the refresh is rolled back before it reaches the
		// application, and its history says why.
		await().atMost(PATIENCE)
			.until(() -> nacos("refresh-history").toString().contains("ROLLED_BACK")
					&& nacos("refresh-history").toString().contains("is 500.0%, must be between 0 and 100"));
		assertThat(canaryPercent()).isEqualTo(30.0);
	}

	@Test
	@Order(5)
	void publishedConfigChangesEveryKindOfBean() {
		String content = """
				sample:
				  greeting:
				    salutation: Howdy
				  traffic:
				    calls-per-second: 5
				  announcement: Published by the end-to-end test
				  theme-color: "#2f855a"
				""";
		JsonNode published = consumer.post()
			.uri("/api/configs/greeting-consumer.yaml")
			.contentType(MediaType.TEXT_PLAIN)
			.body(content)
			.retrieve()
			.body(JsonNode.class);
		assertThat(published.get("accepted").asBoolean()).isTrue();
		await().atMost(PATIENCE)
			.until(() -> configValues().equals(List.of("Howdy", "5.0", "Published by the end-to-end test", "#2f855a")));
		assertThat(greet(null, null).get("text").asString()).startsWith("Howdy from greeting-service");
		assertThat(consumer.get().uri("/api/configs/greeting-consumer.yaml").retrieve().body(String.class))
			.isEqualTo(content);
	}

	@Test
	@Order(6)
	void pageCannotWriteOtherDataIds() {
		Integer status = consumer.post()
			.uri("/api/configs/application.yaml")
			.contentType(MediaType.TEXT_PLAIN)
			.body("a: b")
			.exchange((request, response) -> response.getStatusCode().value());
		assertThat(status).isEqualTo(400);
	}

	@Test
	@Order(7)
	void actuatorShowsHealthTheNacosEndpointAndMetrics() {
		JsonNode health = consumer.get().uri("/actuator/health").retrieve().body(JsonNode.class);
		assertThat(health.get("status").asString()).isEqualTo("UP");
		assertThat(health.get("components").has("nacos")).isTrue();
		JsonNode registration = nacos("registration");
		assertThat(registration.get("service").asString()).isEqualTo("greeting-consumer");
		assertThat(registration.get("registered").asBoolean()).isTrue();
		assertThat(consumer.get().uri("/actuator/metrics").retrieve().body(String.class)).contains("nacos.connection");
	}

	@Test
	@Order(8)
	void stoppingOneProviderMovesItsTrafficToTheOther() {
		RestClient.create("http://localhost:" + topology.providerPort(topology.providerV2()))
			.post()
			.uri("/actuator/shutdown")
			.retrieve()
			.toBodilessEntity();
		await().atMost(PATIENCE).until(() -> state().get("instances").size() == 1);
		assertThat(state().get("instances").get(0).get("version").asString()).isEqualTo("v1");
		// on-missing-version is 'fallback': a v2-tagged request is served by the stable
		// v1
		assertThat(greet("v2", null).get("version").asString()).isEqualTo("v1");
	}

	private static JsonNode state() {
		return consumer.get().uri("/api/state").retrieve().body(JsonNode.class);
	}

	private static JsonNode nacos(String section) {
		return consumer.get().uri("/actuator/nacos/{section}", section).retrieve().body(JsonNode.class);
	}

	private static JsonNode greet(String version, String user) {
		return consumer.get().uri("/api/greet").headers((headers) -> {
			if (version != null) {
				headers.set("X-Gray-Version", version);
			}
			if (user != null) {
				headers.set("X-User-Id", user);
			}
		}).retrieve().body(JsonNode.class);
	}

	private static JsonNode rollout(int percent) {
		return consumer.post().uri("/api/rollout?percent={percent}", percent).retrieve().body(JsonNode.class);
	}

	private static double canaryPercent() {
		return nacos("gray-rules").get("services").get("greeting-service").get("canaryPercent").get("v2").asDouble();
	}

	private static List<String> untaggedVersions() {
		List<String> versions = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			versions.add(greet(null, UUID.randomUUID().toString()).get("version").toString());
		}
		return versions;
	}

	private static List<String> configValues() {
		List<String> values = new ArrayList<>();
		state().get("config").forEach((value) -> values.add(value.get("value").asString()));
		return values;
	}

}
