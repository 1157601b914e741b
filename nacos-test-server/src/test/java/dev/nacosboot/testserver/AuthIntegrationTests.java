package dev.nacosboot.testserver;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Properties;

import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.listener.AbstractListener;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Auth on: clients with good credentials work, wrong or missing credentials are refused.
 * Against an external server these run only when {@code NACOS_USERNAME} says that server
 * has auth on.
 */
class AuthIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = NacosTestServerExtension.withAuth("nacos", "s3cret");

	private NacosClients clients;

	private String group;

	@BeforeEach
	void setUp() {
		NacosTarget target = nacos.target();
		assumeThat(!target.isExternal() || target.username().isPresent())
			.as("the external server has auth on (NACOS_USERNAME set)")
			.isTrue();
		this.clients = new NacosClients(target);
		this.group = target.unique("auth");
	}

	@AfterEach
	void tearDown() throws Exception {
		if (this.clients != null) {
			this.clients.close();
		}
	}

	@Test
	void clientWithGoodCredentialsRegistersAndReadsConfig() throws Exception {
		NamingService naming = this.clients.naming(nacos.target().clientProperties());
		ConfigService config = this.clients.config(nacos.target().clientProperties());

		naming.registerInstance("secured", this.group, instance());
		config.publishConfig("secured.properties", this.group, "ok=true");

		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(naming.getAllInstances("secured", this.group, false)).hasSize(1);
			assertThat(config.getConfig("secured.properties", this.group, 3000)).isEqualTo("ok=true");
		});
		config.removeConfig("secured.properties", this.group);
	}

	@Test
	void wrongPasswordIsRefused() throws Exception {
		Properties properties = nacos.target().clientProperties();
		properties.setProperty(PropertyKeyConst.PASSWORD, "wrong-password");
		NamingService naming = this.clients.naming(properties);
		ConfigService config = this.clients.config(properties);

		assertThatExceptionOfType(NacosException.class)
			.isThrownBy(() -> naming.registerInstance("secured", this.group, instance()))
			.satisfies((ex) -> assertThat(ex.getErrCode()).isEqualTo(NacosException.NO_RIGHT));
		assertThatExceptionOfType(NacosException.class)
			.isThrownBy(() -> config.getConfig("secured.properties", this.group, 3000))
			.satisfies((ex) -> assertThat(ex.getErrCode()).isEqualTo(NacosException.NO_RIGHT));
	}

	@Test
	void clientWithoutCredentialsIsRefused() throws Exception {
		Properties properties = nacos.target().clientProperties();
		properties.remove(PropertyKeyConst.USERNAME);
		properties.remove(PropertyKeyConst.PASSWORD);
		NamingService naming = this.clients.naming(properties);

		assertThatExceptionOfType(NacosException.class)
			.isThrownBy(() -> naming.registerInstance("secured", this.group, instance()))
			.satisfies((ex) -> assertThat(ex.getErrCode()).isEqualTo(NacosException.NO_RIGHT));
	}

	@Test
	void revokedTokensAreRefusedUntilTheClientLogsInAgain(NacosTarget target) throws Exception {
		NacosTestServer server = target.server();
		NamingService naming = this.clients.naming(target.clientProperties());
		naming.registerInstance("secured", this.group, instance());

		server.forgetTokens();

		assertThatExceptionOfType(NacosException.class).isThrownBy(() -> naming.getServicesOfServer(1, 10, this.group))
			.satisfies((ex) -> assertThat(ex.getErrCode()).isEqualTo(NacosException.NO_RIGHT));
	}

	@Test
	void expiredTokenIsRefusedForConfigQueryAndListenAsTheRealServerRefusesIt() throws Exception {
		SettableClock clock = new SettableClock(Instant.now());
		String dataId = "expiry.properties";
		try (NacosTestServer server = NacosTestServer.builder()
			.user("nacos", "s3cret")
			.tokenTtl(Duration.ofSeconds(90))
			.clock(clock)
			.config(this.group, dataId, "v=1")
			.build()
			.start()) {
			Properties properties = new Properties();
			properties.setProperty(PropertyKeyConst.SERVER_ADDR, server.serverAddr());
			properties.setProperty(PropertyKeyConst.USERNAME, "nacos");
			properties.setProperty(PropertyKeyConst.PASSWORD, "s3cret");
			ConfigService config = this.clients.config(properties);
			// A real server's token expires in whole seconds: login second + TTL is still
			// accepted.
			clock.advance(Duration.ofSeconds(90));
			assertThat(config.getConfig(dataId, this.group, 3000)).isEqualTo("v=1");
			assertThat(server.authRefusals()).isZero();

			clock.advance(Duration.ofSeconds(1));
			// The auth filter's answer in the handler's response type: NO_RIGHT, the
			// plugin's 401 message; an
			// expired token stays "expired" on every later use, as the stateless JWT
			// does.
			for (int attempt = 0; attempt < 2; attempt++) {
				assertThatExceptionOfType(NacosException.class)
					.isThrownBy(() -> config.getConfig(dataId, this.group, 3000))
					.satisfies((ex) -> assertThat(ex.getErrCode()).isEqualTo(NacosException.NO_RIGHT))
					.satisfies((ex) -> assertThat(ex.getErrMsg()).contains("msg=Code: 401, Message: token expired!."));
			}
			long listensBefore = server.requestCount("ConfigBatchListenRequest");
			long refusalsBefore = server.authRefusals();
			config.addListener(dataId, this.group, new AbstractListener() {

				@Override
				public void receiveConfigInfo(String configInfo) {
				}

			});
			await().atMost(Duration.ofSeconds(10))
				.until(() -> server.requestCount("ConfigBatchListenRequest") > listensBefore);
			assertThat(server.authRefusals()).isGreaterThan(refusalsBefore);
			assertThat(server.configListeners(null, this.group, dataId)).isEmpty();
			assertThat(server.tokensExpired()).isEqualTo(server.tokensIssued());
		}
	}

	@Test
	void httpLoginIssuesATokenThatOpensTheOpenApi() throws Exception {
		String user = nacos.target().username().orElseThrow();
		String password = nacos.target().password().orElseThrow();
		HttpResponse<String> login = post("/nacos/v3/auth/user/login",
				"username=" + encode(user) + "&password=" + encode(password));
		assertThat(login.statusCode()).isEqualTo(200);
		JsonNode body = new ObjectMapper().readTree(login.body());
		assertThat(body.get("tokenTtl").asLong()).isPositive();
		String token = body.get("accessToken").asText();

		HttpResponse<String> withToken = get("/nacos/v1/ns/instance/list?serviceName=x&accessToken=" + token);
		HttpResponse<String> withoutToken = get("/nacos/v1/ns/instance/list?serviceName=x");
		HttpResponse<String> badToken = get("/nacos/v1/ns/instance/list?serviceName=x&accessToken=bad");

		assertThat(withToken.statusCode()).isEqualTo(200);
		assertThat(withoutToken.statusCode()).isEqualTo(403);
		assertThat(withoutToken.body()).contains("User not found!");
		assertThat(badToken.statusCode()).isEqualTo(403);
		assertThat(badToken.body()).contains("token invalid!");
	}

	@Test
	void httpLoginWithWrongPasswordOrUnknownUserFails() throws Exception {
		String user = nacos.target().username().orElseThrow();
		assertThat(post("/nacos/v3/auth/user/login", "username=" + encode(user) + "&password=wrong").statusCode())
			.isEqualTo(500);
		assertThat(post("/nacos/v3/auth/user/login", "username=nobody-" + this.group + "&password=wrong").statusCode())
			.isEqualTo(403);
		assertThat(post("/nacos/v1/auth/users/login", "username=" + encode(user)).statusCode()).isEqualTo(400);
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static HttpResponse<String> get(String path) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://" + nacos.target().serverAddr() + path)).build(),
					HttpResponse.BodyHandlers.ofString());
	}

	private static HttpResponse<String> post(String path, String form) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://" + nacos.target().serverAddr() + path))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString(form))
				.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static final class SettableClock extends Clock {

		private volatile Instant now;

		SettableClock(Instant now) {
			this.now = now;
		}

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

	private static Instance instance() {
		Instance instance = new Instance();
		instance.setIp("10.9.0.1");
		instance.setPort(8080);
		instance.setMetadata(Map.of());
		return instance;
	}

}
