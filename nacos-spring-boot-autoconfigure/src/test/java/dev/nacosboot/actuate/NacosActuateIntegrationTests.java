package dev.nacosboot.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.registry.NacosInstanceReconciler;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Health, endpoint, metrics and health-to-Nacos sync of one application running against
 * the server, observed from outside: over HTTP as a probe or an operator sees it, and
 * through a separate naming client as another service sees the instance. The
 * server-outage test needs the embedded server and runs last.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NacosActuateIntegrationTests {

	private static final String PASSWORD = "Actuate-S3cret-pw";

	private static final String SECRET_KEY = "Actuate-Secret-Key-42";

	@RegisterExtension
	static final NacosTestServerExtension nacos = NacosTestServerExtension.withAuth("nacos", PASSWORD);

	private static final HttpClient http = HttpClient.newHttpClient();

	private static String group;

	private static String service;

	private static String dataId;

	private static ConfigService publisher;

	private static NamingService observer;

	private static ConfigurableApplicationContext app;

	private static String base;

	@BeforeAll
	static void startApplication() throws Exception {
		group = nacos.target().unique("actuate");
		service = nacos.target().unique("health");
		dataId = nacos.target().unique("actuate") + ".properties";
		Properties client = nacos.target().clientProperties();
		publisher = NacosFactory.createConfigService(client);
		observer = NacosFactory.createNamingService(client);
		assertThat(publisher.publishConfig(dataId, group, "greeting=hello", "properties")).isTrue();
		// A real Nacos stores a publish asynchronously: wait until it is readable before
		// the import reads it.
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> "greeting=hello".equals(publisher.getConfig(dataId, group, 3000)));
		Map<String, Object> properties = TestApps.common(nacos.target(), group);
		properties.put("spring.application.name", service);
		properties.put("server.port", "0");
		properties.put("spring.cloud.nacos.secret-key", SECRET_KEY);
		properties.put("spring.cloud.nacos.access-key", "actuate-access-key");
		properties.put("spring.config.import", "nacos:" + dataId + "?group=" + group + "&refresh=true");
		properties.put("management.endpoints.web.exposure.include", "health,nacos,env,configprops,metrics");
		properties.put("management.endpoint.health.show-details", "always");
		properties.put("management.endpoint.health.show-components", "always");
		properties.put("management.endpoint.health.probes.enabled", "true");
		properties.put("management.endpoint.health.group.app.include", "appCheck");
		properties.put("management.endpoint.nacos.access", "unrestricted");
		properties.put("spring.cloud.nacos.health.grace-period", "6s");
		properties.put("spring.cloud.nacos.health.sample-interval", "200ms");
		properties.put("spring.cloud.nacos.health.traffic.group", "app");
		properties.put("spring.cloud.nacos.health.traffic.check-interval", "200ms");
		properties.put("spring.cloud.nacos.discovery.metadata.db-password", "metadata-Secret-1");
		properties.put("spring.cloud.nacos.discovery.metadata.version", "v1");
		app = new SpringApplicationBuilder(ActuatedApplication.class).web(WebApplicationType.SERVLET)
			.properties(properties)
			.run();
		base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port") + "/actuator";
		await().atMost(Duration.ofSeconds(20)).until(() -> visible(port()));
	}

	@AfterAll
	static void stopApplication() throws Exception {
		if (app != null) {
			app.close();
		}
		if (publisher != null) {
			publisher.removeConfig(dataId, group);
			publisher.shutDown();
		}
		if (observer != null) {
			observer.shutDown();
		}
	}

	@Test
	@Order(1)
	void healthShowsTheNacosComponentsWithTheirDetails() throws Exception {
		await().atMost(Duration.ofSeconds(10)).until(() -> get("/health/nacos").contains("\"registered\":true"));
		String health = get("/health/nacos");
		System.out.println("[sample] /actuator/health/nacos: " + health);
		assertThat(health).contains("\"status\":\"UP\"", "\"discovery\"", "\"config\"", "\"connection\":\"CONNECTED\"",
				"\"service\":\"" + service + "\"", "\"dataId\":\"" + dataId + "\"", "\"md5\":\"", "\"since\":\"",
				"\"subscribedServices\"");
	}

	@Test
	@Order(2)
	void nacosIsNotPartOfLivenessOrReadiness() throws Exception {
		assertThat(status("/health/liveness")).isEqualTo(200);
		assertThat(get("/health/liveness")).doesNotContain("nacos");
		assertThat(get("/health/readiness")).doesNotContain("nacos");
	}

	@Test
	@Order(3)
	void endpointShowsEverySection() throws Exception {
		String nacosEndpoint = get("/nacos");
		System.out.println("[sample] /actuator/nacos: " + nacosEndpoint);
		assertThat(nacosEndpoint).contains("\"client\"", "\"nacosClientVersion\"", "\"registration\"", "\"instanceId\"",
				"\"subscriptions\"", "\"config\"", "\"refreshable\":true", "\"refresh-history\"", "\"gray-rules\"",
				"\"versionHeader\"");
		assertThat(get("/nacos/registration")).contains("\"service\":\"" + service + "\"", "\"version\":\"v1\"");
		assertThat(status("/nacos/nothing")).isEqualTo(404);
	}

	@Test
	@Order(4)
	void configRefreshShowsInHistoryHealthAndMetrics() throws Exception {
		assertThat(publisher.publishConfig(dataId, group, "greeting=bonjour", "properties")).isTrue();
		await().atMost(Duration.ofSeconds(15))
			.until(() -> "bonjour".equals(app.getEnvironment().getProperty("greeting")));
		MeterRegistry meters = app.getBean(MeterRegistry.class);
		await().atMost(Duration.ofSeconds(5)).until(() -> {
			Timer timer = meters.find("nacos.config.refresh").tag("data-id", dataId).tag("outcome", "applied").timer();
			return timer != null && timer.count() == 1;
		});
		assertThat(get("/nacos/refresh-history")).contains("\"dataId\":\"" + dataId + "\"", "\"outcome\":\"APPLIED\"",
				"\"changedKeys\":[\"greeting\"]");
		assertThat(get("/health/nacos/config")).contains("\"lastRefresh\"", "\"lastOutcome\":\"APPLIED\"");
	}

	@Test
	@Order(5)
	void pushesShowInSubscriptionsAndMetrics() throws Exception {
		// The services discovery follows: the first lookup subscribes.
		assertThat(app.getBean(DiscoveryClient.class).getInstances(service)).isNotNull();
		MeterRegistry meters = app.getBean(MeterRegistry.class);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> meters.find("nacos.discovery.instances").tag("service", service).gauge() != null);
		double pushesBefore = meters.find("nacos.discovery.push").tag("service", service).functionCounter().count();
		observer.registerInstance(service, group, "127.0.0.1", 1);
		try {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> meters.find("nacos.discovery.instances").tag("service", service).gauge().value() == 2);
			assertThat(meters.find("nacos.discovery.push").tag("service", service).functionCounter().count())
				.isGreaterThan(pushesBefore);
			assertThat(get("/nacos/subscriptions")).contains("\"service\":\"" + service + "\"", "\"instances\":2",
					"\"lastPush\":\"");
		}
		finally {
			observer.deregisterInstance(service, group, "127.0.0.1", 1);
		}
		assertThat(meters.find("nacos.connection").tag("concern", "discovery").gauge().value()).isEqualTo(1);
		assertThat(meters.find("nacos.registration.state").gauge().value()).isEqualTo(1);
	}

	@Test
	@Order(6)
	void readinessRefusingTrafficMakesTheInstanceNonRoutableAndAcceptingRestoresIt() {
		long hidden = measure(() -> AvailabilityChangeEvent.publish(app, ReadinessState.REFUSING_TRAFFIC), false);
		long shown = measure(() -> AvailabilityChangeEvent.publish(app, ReadinessState.ACCEPTING_TRAFFIC), true);
		System.out.printf("[figures] readiness REFUSING_TRAFFIC -> instance hidden from other clients %d ms; "
				+ "ACCEPTING_TRAFFIC -> visible again %d ms%n", hidden, shown);
	}

	@Test
	@Order(7)
	void healthGroupDownMakesTheInstanceNonRoutableAndUpRestoresIt() throws Exception {
		AppCheck check = app.getBean(AppCheck.class);
		long hidden = measure(() -> check.status.set(Health.down().withDetail("reason", "test").build()), false);
		assertThat(get("/nacos/registration")).contains("\"outOfTrafficFor\":[\"HEALTH_GROUP\"]");
		long shown = measure(() -> check.status.set(Health.up().build()), true);
		System.out.printf("[figures] health group 'app' DOWN -> instance hidden from other clients %d ms; "
				+ "UP -> visible again %d ms%n", hidden, shown);
	}

	@Test
	@Order(8)
	void drainThroughTheEndpointTakesTheInstanceOutUntilRestored() throws Exception {
		long hidden = measure(() -> post("/nacos", "{\"status\":\"OUT_OF_SERVICE\"}"), false);
		// A recovering health group does not undo a manual drain.
		AppCheck check = app.getBean(AppCheck.class);
		check.status.set(Health.down().build());
		await().atMost(Duration.ofSeconds(5))
			.until(() -> app.getBean(NacosInstanceReconciler.class).outOfTrafficReasons().size() == 2);
		check.status.set(Health.up().build());
		await().atMost(Duration.ofSeconds(5))
			.until(() -> app.getBean(NacosInstanceReconciler.class).outOfTrafficReasons().size() == 1);
		assertThat(visible(port())).isFalse();
		long shown = measure(() -> post("/nacos", "{\"status\":\"UP\"}"), true);
		System.out.printf("[figures] POST /actuator/nacos OUT_OF_SERVICE -> hidden %d ms; UP -> visible %d ms%n",
				hidden, shown);
	}

	@Test
	@Order(9)
	void writeOperationIsOffByDefault() throws Exception {
		Map<String, Object> properties = TestApps.common(nacos.target(), group);
		properties.put("spring.application.name", service + "-readonly");
		properties.put("server.port", "0");
		properties.put("management.endpoints.web.exposure.include", "nacos");
		try (ConfigurableApplicationContext readOnly = new SpringApplicationBuilder(TestApps.ProviderApplication.class)
			.web(WebApplicationType.SERVLET)
			.properties(properties)
			.run()) {
			String url = "http://127.0.0.1:" + readOnly.getEnvironment().getProperty("local.server.port")
					+ "/actuator/nacos";
			assertThat(send(HttpRequest.newBuilder(URI.create(url)).GET().build()).statusCode()).isEqualTo(200);
			int post = send(HttpRequest.newBuilder(URI.create(url))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"OUT_OF_SERVICE\"}"))
				.build()).statusCode();
			assertThat(post).isIn(404, 405);
			assertThat(readOnly.getBean(NacosInstanceReconciler.class).outOfTrafficReasons()).isEmpty();
		}
	}

	@Test
	@Order(10)
	void credentialsNeverAppearInActuatorOutputOrLogs(CapturedOutput output) throws Exception {
		String all = get("/health") + get("/nacos") + get("/env") + get("/configprops")
				+ get("/env/spring.cloud.nacos.password") + get("/env/spring.cloud.nacos.secret-key");
		assertThat(all).doesNotContain(SECRET_KEY).doesNotContain("metadata-Secret-1");
		nacos.target().password().ifPresent((password) -> assertThat(all).doesNotContain(password));
		assertThat(get("/nacos/registration")).contains("\"db-password\":\"******\"");
		assertThat(output.getAll()).doesNotContain(SECRET_KEY);
		nacos.target().password().ifPresent((password) -> assertThat(output.getAll()).doesNotContain(password));
	}

	@Test
	@Order(11)
	void serverOutageIsUpWhileReconnectingDownAfterTheGracePeriodAndUpAfterRestart() throws Exception {
		NacosTestServer server = nacos.target().server();
		long start = System.nanoTime();
		server.stop();
		try {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> get("/health/nacos/discovery").contains("\"connection\":\"RECONNECTING\""));
			long reconnecting = System.nanoTime();
			assertThat(get("/health/nacos/discovery")).contains("\"status\":\"UP\"");
			assertThat(status("/health")).isEqualTo(200);
			await().atMost(Duration.ofSeconds(15)).until(() -> status("/health/nacos") == 503);
			long down = System.nanoTime();
			assertThat(get("/health/nacos")).contains("\"connection\":\"DISCONNECTED\"");
			// Liveness never depends on Nacos.
			assertThat(status("/health/liveness")).isEqualTo(200);
			System.out.printf("[figures] server stop -> RECONNECTING (UP) %d ms, -> DOWN %d ms (grace 6 s)%n",
					(reconnecting - start) / 1_000_000, (down - start) / 1_000_000);
		}
		finally {
			server.start();
		}
		long restarted = System.nanoTime();
		await().atMost(Duration.ofSeconds(30)).until(() -> status("/health/nacos") == 200);
		System.out.printf("[figures] server start -> nacos health UP %d ms%n",
				(System.nanoTime() - restarted) / 1_000_000);
		assertThat(get("/health/nacos")).contains("\"connection\":\"CONNECTED\"");
	}

	/**
	 * Runs the action and returns the ms until other clients see the instance
	 * (dis)appear.
	 */
	private static long measure(ThrowingRunnable action, boolean visible) {
		long start = System.nanoTime();
		try {
			action.run();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(10))
			.until(() -> visible(port()) == visible);
		return (System.nanoTime() - start) / 1_000_000;
	}

	private static int port() {
		return Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
	}

	// Asks the server (no subscription cache): disabled instances are hidden from every
	// client query.
	private static boolean visible(int port) throws Exception {
		List<Instance> instances = observer.getAllInstances(service, group, false);
		return instances.stream().anyMatch((instance) -> instance.getPort() == port && instance.isEnabled());
	}

	private static String get(String path) throws Exception {
		return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build()).body();
	}

	private static int status(String path) throws Exception {
		return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build()).statusCode();
	}

	private static String post(String path, String json) throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	private static HttpResponse<String> send(HttpRequest request) throws Exception {
		return http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	@FunctionalInterface
	interface ThrowingRunnable {

		void run() throws Exception;

	}

	static final class AppCheck implements HealthIndicator {

		final AtomicReference<Health> status = new AtomicReference<>(Health.up().build());

		@Override
		public Health health() {
			return this.status.get();
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ActuatedApplication {

		@Bean
		AppCheck appCheckHealthIndicator() {
			return new AppCheck();
		}

	}

}
