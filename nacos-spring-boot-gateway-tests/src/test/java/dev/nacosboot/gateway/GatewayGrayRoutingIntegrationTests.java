package dev.nacosboot.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.loadbalancer.GrayRules;
import dev.nacosboot.loadbalancer.GrayRulesSource;
import dev.nacosboot.loadbalancer.NacosGrayLoadBalancer;
import dev.nacosboot.registry.NacosRegistration;
import dev.nacosboot.registry.NacosServiceRegistry;
import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.test.NacosTestServerConnectionInitializer;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * A Spring Cloud Gateway with an {@code lb://} route in front of providers v1 and v2,
 * real reactive web applications registered through this starter: the gateway's
 * {@code ReactiveLoadBalancerClientFilter} asks the per-client
 * {@code ReactorLoadBalancer} bean, which is the starter's gray balancer. The rules come
 * from a Nacos config data id imported by the gateway, so every test publishes the rules
 * it needs and waits until the gateway applied them. Every wait is on a condition, so
 * that the tests also hold against a real Nacos, which stores and pushes asynchronously.
 */
class GatewayGrayRoutingIntegrationTests {

	/**
	 * Longest wait for a change to travel through Nacos to the gateway; a real server
	 * pushes in batches.
	 */
	private static final Duration PUSH = Duration.ofSeconds(30);

	private static final HttpClient http = HttpClient.newHttpClient();

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static String group;

	private static String service;

	private static String dataId;

	private static ConfigService config;

	private static ConfigurableApplicationContext v1;

	private static ConfigurableApplicationContext v2;

	private static ConfigurableApplicationContext gateway;

	@BeforeAll
	static void start() throws Exception {
		NacosTarget target = nacos.target();
		group = target.unique("gateway") + "-" + System.nanoTime();
		service = target.unique("gw-orders");
		dataId = target.unique("gateway-rules") + ".properties";
		config = NacosFactory.createConfigService(target.clientProperties());
		assertThat(config.publishConfig(dataId, group, stableV1(), "properties")).isTrue();
		// A real Nacos stores a publish asynchronously: the gateway must read these rules
		// at startup.
		await().atMost(PUSH).until(() -> stableV1().equals(config.getConfig(dataId, group, 3000)));
		v1 = provider("v1");
		v2 = provider("v2");
		gateway = application(Gateway.class).web(WebApplicationType.REACTIVE)
			.properties("spring.application.name=gateway", "server.port=0",
					"spring.cloud.nacos.discovery.register-enabled=false",
					"spring.config.import=nacos:" + dataId + "?group=" + group,
					"spring.cloud.gateway.server.webflux.routes[0].id=orders",
					"spring.cloud.gateway.server.webflux.routes[0].uri=lb://" + service,
					"spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/orders/**",
					"spring.cloud.gateway.server.webflux.routes[0].filters[0]=StripPrefix=1")
			.run();
		NacosInstanceView view = gateway.getBean(NacosInstanceView.class);
		await().atMost(PUSH).until(() -> view.getInstances(service).size() == 2);
	}

	@AfterAll
	static void stop() throws Exception {
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { gateway, v1, v2 }) {
			if (context != null) {
				context.close();
			}
		}
		if (config != null) {
			config.removeConfig(dataId, group);
			config.shutDown();
		}
	}

	@Test
	void lbRouteShouldUseTheStartersGrayBalancer() {
		assertThat(gateway.getBean(LoadBalancerClientFactory.class).getInstance(service))
			.isInstanceOf(NacosGrayLoadBalancer.class);
	}

	@Test
	void versionHeaderShouldReachThatVersionAndUntaggedRequestsTheStableOne() throws Exception {
		publish(stableV1(), (rule) -> "v1".equals(rule.stableVersion()) && canaryShare(rule) == 0);
		for (int i = 0; i < 100; i++) {
			assertThat(call("X-Gray-Version", "v2").version()).isEqualTo("v2");
			assertThat(call().version()).isEqualTo("v1");
			assertThat(call("X-Gray-Version", "v1").version()).isEqualTo("v1");
		}
	}

	@Test
	void canaryShareShouldSplitUntaggedRequestsAndStickByTheHashHeader() throws Exception {
		publish(rules("stable-version=v1", "canary.v2=30", "sticky-header=X-User"),
				(rule) -> canaryShare(rule) == 3000 && "X-User".equals(rule.stickyHeader()));
		int users = 1000;
		Map<String, String> sideOfUser = new LinkedHashMap<>();
		for (int i = 0; i < users; i++) {
			sideOfUser.put("user-" + i, call("X-User", "user-" + i).version());
		}
		long onV2 = sideOfUser.values().stream().filter("v2"::equals).count();
		double sigma = Math.sqrt(users * 0.3 * 0.7);
		System.out.printf("gateway canary v2 at 30%%: %d of %d users on v2, expected %.0f +- %.0f (5 sigma) (%s)%n",
				onV2, users, users * 0.3, 5 * sigma, nacos.target());
		assertThat((double) onV2).as("users on canary v2").isCloseTo(users * 0.3, within(5 * sigma));
		for (int i = 0; i < users; i += 20) {
			String user = "user-" + i;
			for (int repeat = 0; repeat < 5; repeat++) {
				assertThat(call("X-User", user).version()).as("side of " + user).isEqualTo(sideOfUser.get(user));
			}
		}
	}

	@Test
	void deregisteredProviderShouldStopReceivingGatewayTrafficRightAfterThePush() throws Exception {
		publish(stableV1(), (rule) -> "v1".equals(rule.stableVersion()) && canaryShare(rule) == 0);
		try (ConfigurableApplicationContext leaving = provider("v1")) {
			int port = port(leaving);
			await().atMost(PUSH).until(() -> call().port() == port);

			long start = System.nanoTime();
			leaving.getBean(NacosServiceRegistry.class).deregister(leaving.getBean(NacosRegistration.class));
			// Measured to the start of the first run of calls that all missed it, not to
			// the end of that run.
			AtomicLong missedFrom = new AtomicLong();
			await().atMost(PUSH).pollInterval(Duration.ofMillis(5)).until(() -> {
				missedFrom.set(System.nanoTime());
				return neverReached(port, 50);
			});
			System.out.printf("[figures] gateway: deregistered provider out of the traffic %d ms after"
					+ " deregistration (%s)%n", (missedFrom.get() - start) / 1_000_000, nacos.target());
			assertThat(neverReached(port, 500)).as("deregistered provider still reached").isTrue();
		}
	}

	@Test
	void ruleChangePublishedToNacosShouldApplyToTheNextGatewayRequests() throws Exception {
		publish(stableV1(), (rule) -> "v1".equals(rule.stableVersion()) && canaryShare(rule) == 0);
		assertThat(call().version()).isEqualTo("v1");

		long start = System.nanoTime();
		assertThat(config.publishConfig(dataId, group, rules("stable-version=v1", "canary.v2=100"), "properties"))
			.isTrue();
		await().atMost(PUSH).pollInterval(Duration.ofMillis(5)).until(() -> "v2".equals(call().version()));
		System.out.printf(
				"[figures] gateway: canary v2 at 100%% published to Nacos, first request on v2 %d ms" + " later (%s)%n",
				(System.nanoTime() - start) / 1_000_000, nacos.target());
		for (int i = 0; i < 100; i++) {
			assertThat(call().version()).isEqualTo("v2");
		}

		publish(stableV1(), (rule) -> canaryShare(rule) == 0);
		for (int i = 0; i < 100; i++) {
			assertThat(call().version()).isEqualTo("v1");
		}
	}

	/** Publishes the gateway's rules and waits until the gateway has applied them. */
	private static void publish(String content, Predicate<GrayRules.ServiceRule> applied) throws Exception {
		assertThat(config.publishConfig(dataId, group, content, "properties")).isTrue();
		GrayRulesSource source = gateway.getBean(GrayRulesSource.class);
		await().atMost(PUSH).until(() -> applied.test(source.current().ruleFor(service)));
	}

	private static String stableV1() {
		return rules("stable-version=v1", "canary.v2=0");
	}

	private static String rules(String... rules) {
		StringBuilder content = new StringBuilder();
		for (String rule : rules) {
			content.append("spring.cloud.nacos.loadbalancer.services.")
				.append(service)
				.append('.')
				.append(rule)
				.append('\n');
		}
		return content.toString();
	}

	private static int canaryShare(GrayRules.ServiceRule rule) {
		return rule.canaries()
			.stream()
			.filter((canary) -> canary.version().equals("v2"))
			.mapToInt(GrayRules.Canary::basisPoints)
			.sum();
	}

	/** Calls the provider through the gateway with the given header name/value pairs. */
	private static Answer call(String... headers) throws Exception {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port(gateway) + "/orders/instance"))
			.timeout(Duration.ofSeconds(10));
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as("gateway status, body %s", response.body()).isEqualTo(200);
		String[] versionAndPort = response.body().split("@");
		return new Answer(versionAndPort[0], Integer.parseInt(versionAndPort[1]));
	}

	private static boolean neverReached(int port, int calls) throws Exception {
		Set<Integer> reached = new HashSet<>();
		for (int i = 0; i < calls; i++) {
			reached.add(call().port());
		}
		return !reached.contains(port);
	}

	private static ConfigurableApplicationContext provider(String version) {
		return application(Provider.class).web(WebApplicationType.REACTIVE)
			.properties("spring.application.name=" + service, "server.port=0",
					"spring.cloud.nacos.discovery.metadata.version=" + version,
					"spring.cloud.gateway.server.webflux.enabled=false")
			.run();
	}

	/**
	 * An application of these tests: connected to the class's Nacos through its
	 * connection details (no server address property), registered in the class's group on
	 * the loopback address.
	 */
	private static SpringApplicationBuilder application(Class<?> source) {
		return new SpringApplicationBuilder(source)
			.addBootstrapRegistryInitializer(NacosTestServerConnectionInitializer.of(nacos.target()))
			.properties("spring.cloud.nacos.discovery.group=" + group, "spring.cloud.nacos.discovery.ip=127.0.0.1",
					"spring.jmx.enabled=false", "logging.level.com.alibaba.nacos=warn");
	}

	private static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
	}

	/** Which provider answered a call. */
	private record Answer(String version, int port) {
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@RestController
	static class Provider {

		private final Environment environment;

		Provider(Environment environment) {
			this.environment = environment;
		}

		@GetMapping("/instance")
		String instance() {
			return this.environment.getProperty("spring.cloud.nacos.discovery.metadata.version") + "@"
					+ this.environment.getProperty("local.server.port");
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Gateway {

	}

}
