package dev.nacosboot.reliability;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.core.NacosClientPropertiesFactory;
import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.core.NacosProperties;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * A server with auth on: good credentials work and keep working across token expiry, a
 * wrong password fails startup once and clearly, and no credential ever shows in logs,
 * exceptions or Actuator. Needs the embedded server (users, token TTL and token loss are
 * set up through its control API).
 */
@ExtendWith(OutputCaptureExtension.class)
class AuthAndSecretsIntegrationTests {

	private static final String USER = "reliability-user";

	private static final String PASSWORD = "Pw-4-reliability-9x";

	private static final String SECRET_KEY = "Sk-4-reliability-7q";

	@RegisterExtension
	static final NacosTestServerExtension nacos = NacosTestServerExtension.withAuth(USER, PASSWORD);

	/**
	 * Shorter than the client's 5 s token check, so that tokens really run out between
	 * two logins.
	 */
	private static final Duration TOKEN_TTL = Duration.ofSeconds(3);

	private static NacosTestServer server;

	private static NacosTarget target;

	@BeforeAll
	static void start() {
		target = nacos.target();
		server = target.server();
	}

	@Test
	void goodCredentialsKeepRegistrationSubscriptionAndListenerAcrossTokenExpiryAndNothingShowsTheSecrets(
			CapturedOutput output) throws Exception {
		String group = target.unique("auth");
		String service = target.unique("secured");
		String dataId = service + ".properties";
		try (NacosTestServer shortTtl = NacosTestServer.builder()
			.user(USER, PASSWORD)
			.tokenTtl(TOKEN_TTL)
			.config(group, dataId, "reliability.value=one")
			.build()
			.start();
				ConfigurableApplicationContext app = TestApps.provider(target, group, service,
						"spring.cloud.nacos.server-addr=" + shortTtl.serverAddr(),
						"spring.config.import=nacos:" + dataId + "?group=" + group + "&refresh=true",
						"spring.cloud.nacos.access-key=Ak-reliability", "spring.cloud.nacos.secret-key=" + SECRET_KEY,
						"logging.level.com.alibaba.nacos=info", "logging.level.dev.nacosboot=debug",
						"management.endpoints.web.exposure.include=*", "management.endpoint.health.show-details=always",
						"management.endpoint.env.show-values=always",
						"management.endpoint.configprops.show-values=always")) {
			DiscoveryClient discovery = app.getBean(DiscoveryClient.class);
			await().atMost(Duration.ofSeconds(20)).until(() -> discovery.getInstances(service).size() == 1);
			assertThat(app.getEnvironment().getProperty("reliability.value")).isEqualTo("one");
			// AK/SK reach the clients the starter creates.
			Properties clientProperties = NacosClientPropertiesFactory
				.create(app.getBean(NacosConnectionDetails.class).forDiscovery(), app.getBean(NacosProperties.class));
			assertThat(clientProperties).containsEntry(PropertyKeyConst.ACCESS_KEY, "Ak-reliability")
				.containsEntry(PropertyKeyConst.SECRET_KEY, SECRET_KEY);
			// The tokens run out (TTL) more than once; the client logs in again by itself
			// on its 5 s schedule.
			long started = System.nanoTime();
			await().pollDelay(TOKEN_TTL.multipliedBy(2)).atMost(TOKEN_TTL.multipliedBy(3)).until(() -> true);
			NamingService other = NacosFactory.createNamingService(clientProperties(shortTtl));
			try {
				other.registerInstance(service, group, "127.0.0.1", 9);
				await().atMost(Duration.ofSeconds(30)).until(() -> discovery.getInstances(service).size() == 2);
			}
			finally {
				other.shutDown();
			}
			int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
			assertThat(shortTtl.instances(null, group, service)).filteredOn((i) -> i.getPort() == port).hasSize(1);
			System.out.printf(
					"[figures] token TTL %d s: after %d s a new instance reached the application %d ms"
							+ " after it was registered%n",
					TOKEN_TTL.toSeconds(), TOKEN_TTL.multipliedBy(2).toSeconds(),
					(System.nanoTime() - started) / 1_000_000 - TOKEN_TTL.multipliedBy(2).toMillis());
			String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port") + "/actuator";
			RestClient http = RestClient.create();
			StringBuilder all = new StringBuilder();
			for (String path : List.of("/env", "/configprops", "/nacos", "/health", "/health/nacos")) {
				String body = http.get().uri(base + path).retrieve().body(String.class);
				assertThat(body).as(path).isNotBlank();
				all.append(body);
			}
			assertThat(all.toString()).contains("spring.cloud.nacos.password")
				.doesNotContain(PASSWORD)
				.doesNotContain(SECRET_KEY);
			// Write operations are off by default: the drain request is refused and
			// changes nothing.
			HttpStatusCode drain = http.post()
				.uri(base + "/nacos")
				.contentType(MediaType.APPLICATION_JSON)
				.body("{\"status\":\"OUT_OF_SERVICE\"}")
				.exchange((request, response) -> response.getStatusCode());
			assertThat(drain.is2xxSuccessful()).as("POST /actuator/nacos answered %s", drain).isFalse();
			assertThat(shortTtl.instances(null, group, service)).filteredOn((i) -> i.getPort() == port)
				.singleElement()
				.satisfies((instance) -> assertThat(instance.isEnabled()).isTrue());
		}
		assertThat(output.getAll()).doesNotContain(PASSWORD).doesNotContain(SECRET_KEY);
	}

	/**
	 * The shortest TTL the client is sure to renew in time: it checks every 5 s and logs
	 * in again once less than a random 1/15 to 1/10 of the TTL (whole seconds) is left,
	 * i.e. 82-84 s into a 90 s token, at the latest 89 s.
	 */
	private static final Duration RENEWED_TOKEN_TTL = Duration.ofSeconds(90);

	@Test
	void clientsRenewTheirTokensBeforeExpirySoConfigListenerAndRegistrationOutliveTheFirstToken() throws Exception {
		String group = target.unique("renew");
		String service = target.unique("renewed");
		String dataId = service + ".properties";
		try (NacosTestServer renewing = NacosTestServer.builder()
			.user(USER, PASSWORD)
			.tokenTtl(RENEWED_TOKEN_TTL)
			.config(group, dataId, "reliability.value=one")
			.build()
			.start()) {
			long starting = System.nanoTime();
			try (ConfigurableApplicationContext app = new SpringApplicationBuilder(TestApps.ProviderApplication.class,
					RenewalSettingsConfiguration.class)
				.web(WebApplicationType.SERVLET)
				.properties(TestApps.common(target, group))
				.properties("spring.application.name=" + service, "server.port=0",
						"spring.cloud.nacos.server-addr=" + renewing.serverAddr(),
						"spring.config.import=nacos:" + dataId + "?group=" + group + "&refresh=true")
				.run()) {
				DiscoveryClient discovery = app.getBean(DiscoveryClient.class);
				RenewalSettings settings = app.getBean(RenewalSettings.class);
				await().atMost(Duration.ofSeconds(20)).until(() -> discovery.getInstances(service).size() == 1);
				assertThat(settings.getValue()).isEqualTo("one");
				// The config client starts once the application is ready: wait until it
				// is connected (it logged in) before counting the first tokens.
				await().atMost(Duration.ofSeconds(20))
					.until(() -> renewing.connections().stream().anyMatch((c) -> "config".equals(c.module())));
				long firstTokens = renewing.tokensIssued();
				// One of them is the startup's login over HTTP, used for the import's
				// read
				// only and never renewed.
				long clientTokens = firstTokens - 1;
				// Every client logs in again before its first token runs out ...
				await().atMost(RENEWED_TOKEN_TTL.plusSeconds(10))
					.until(() -> renewing.tokensIssued() >= firstTokens + clientTokens);
				long renewedAfter = System.nanoTime() - starting;
				// ... and the first tokens have run out (tokens expire in the order they
				// were issued).
				await().atMost(RENEWED_TOKEN_TTL.plusSeconds(10)).until(() -> renewing.tokensExpired() >= firstTokens);
				long expiredAfter = System.nanoTime() - starting;

				long published = System.nanoTime();
				renewing.publishConfig(null, group, dataId, "reliability.value=two", "properties");
				await().atMost(Duration.ofSeconds(10)).until(() -> "two".equals(settings.getValue()));
				long applied = System.nanoTime() - published;

				int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
				assertThat(renewing.instances(null, group, service)).filteredOn((i) -> i.getPort() == port).hasSize(1);
				NamingService other = NacosFactory.createNamingService(clientProperties(renewing));
				long registered;
				try {
					other.registerInstance(service, group, "127.0.0.1", 9);
					registered = System.nanoTime();
					await().atMost(Duration.ofSeconds(10)).until(() -> discovery.getInstances(service).size() == 2);
				}
				finally {
					other.shutDown();
				}
				long discovered = System.nanoTime() - registered;
				// Renewed in time: no request ever went out with an expired token.
				assertThat(renewing.authRefusals()).isZero();
				System.out.printf("[figures] token TTL %d s: %d clients logged in again %.1f s after the start, "
						+ "their first tokens had expired %.1f s after it, 0 requests refused; then a config change "
						+ "reached the bean %d ms after it was published, a new instance reached discovery %d ms "
						+ "after it was registered%n", RENEWED_TOKEN_TTL.toSeconds(), clientTokens, renewedAfter / 1e9,
						expiredAfter / 1e9, applied / 1_000_000, discovered / 1_000_000);
			}
		}
	}

	@Test
	void wrongPasswordFailsStartupOnceWithAClearMessageAndShowsNoSecret(CapturedOutput output) {
		String group = target.unique("badauth");
		String service = target.unique("refused");
		String wrong = "Wrong-" + PASSWORD;
		long started = System.nanoTime();
		assertThatException()
			.isThrownBy(() -> TestApps.provider(target, group, service, "spring.cloud.nacos.password=" + wrong,
					"spring.cloud.nacos.discovery.fail-fast=true"))
			.satisfies((ex) -> assertThat(stackTraceOf(ex)).doesNotContain(wrong).doesNotContain(PASSWORD));
		System.out.printf("[figures] wrong password: startup failed after %d ms%n",
				(System.nanoTime() - started) / 1_000_000);
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("Code: 401")
			.contains("credentials")
			.doesNotContain(wrong)
			.doesNotContain(PASSWORD);
		assertThat(server.instances(null, group, service)).isEmpty();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(RenewalSettings.class)
	static class RenewalSettingsConfiguration {

	}

	@ConfigurationProperties("reliability")
	public static class RenewalSettings {

		private String value;

		public String getValue() {
			return this.value;
		}

		public void setValue(String value) {
			this.value = value;
		}

	}

	private static Properties clientProperties(NacosTestServer server) {
		Properties properties = new Properties();
		properties.setProperty(PropertyKeyConst.SERVER_ADDR, server.serverAddr());
		properties.setProperty(PropertyKeyConst.USERNAME, USER);
		properties.setProperty(PropertyKeyConst.PASSWORD, PASSWORD);
		return properties;
	}

	private static String stackTraceOf(Throwable ex) {
		java.io.StringWriter writer = new java.io.StringWriter();
		ex.printStackTrace(new java.io.PrintWriter(writer));
		return writer.toString();
	}

}
