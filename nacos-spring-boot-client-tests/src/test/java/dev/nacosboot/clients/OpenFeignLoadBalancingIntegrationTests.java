package dev.nacosboot.clients;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.clients.ClientApps.Attempts;
import dev.nacosboot.clients.ClientApps.GreetingClient;
import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import feign.Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.cloud.openfeign.loadbalancer.FeignBlockingLoadBalancerClient;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * A {@code @FeignClient} through the starter's balancer, the way the gateway module tests
 * the gateway: real provider applications registered in Nacos, a consumer application
 * with Spring MVC and OpenFeign and no Spring Retry. Nacos weights, the gray rules, the
 * version header propagated from the consumer's own incoming request, ejection of an
 * instance answering 500, and the requeue of a failed connect.
 */
class OpenFeignLoadBalancingIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final HttpClient http = HttpClient.newHttpClient();

	private static final List<ConfigurableApplicationContext> providers = new CopyOnWriteArrayList<>();

	private static String group;

	private static String greeting;

	private static int light;

	private static int heavy;

	private static int canary;

	private ConfigurableApplicationContext consumer;

	private NamingService deadInstanceClient;

	@BeforeAll
	static void start() {
		NacosTarget target = nacos.target();
		group = target.unique("feign");
		greeting = target.unique("greeting-service");
		light = ClientApps.port(provider(greeting, "spring.cloud.nacos.discovery.weight=1",
				"spring.cloud.nacos.discovery.metadata.version=v1"));
		heavy = ClientApps.port(provider(greeting, "spring.cloud.nacos.discovery.weight=3",
				"spring.cloud.nacos.discovery.metadata.version=v1"));
		canary = ClientApps.port(provider(greeting, "spring.cloud.nacos.discovery.metadata.version=v2"));
	}

	@AfterAll
	static void stop() {
		providers.forEach(ConfigurableApplicationContext::close);
	}

	@AfterEach
	void close() throws Exception {
		if (this.consumer != null) {
			this.consumer.close();
		}
		if (this.deadInstanceClient != null) {
			this.deadInstanceClient.shutDown();
		}
	}

	@Test
	void feignClientShouldGoThroughTheGrayBalancerWithTheRequeueingClient() {
		ConfigurableApplicationContext consumer = consumer(greeting, 3);
		// Spring Cloud OpenFeign's load-balanced client (its retrying one with Spring
		// Retry), subclassed to requeue failed connects.
		assertThat(consumer.getBean(Client.class).getClass().getSuperclass().getSimpleName())
			.isIn(FeignBlockingLoadBalancerClient.class.getSimpleName(), "RetryableFeignBlockingLoadBalancerClient");
		assertThat(consumer.getBean(Client.class).getClass().getSimpleName()).startsWith("Requeueing");
	}

	@Test
	void feignCallsShouldFollowTheNacosWeightsAmongTheStableInstances() {
		// The weights alone: not scaled by the CPU load the providers publish.
		ConfigurableApplicationContext consumer = consumer(greeting, 3,
				"spring.cloud.nacos.loadbalancer.load-aware.enabled=false");
		GreetingClient client = consumer.getBean(GreetingClient.class);
		int calls = 1200;
		int onHeavy = 0;
		for (int i = 0; i < calls; i++) {
			String answer = client.greeting();
			assertThat(answer).as("stable-version v1 keeps untagged calls off the canary").startsWith("v1@");
			onHeavy += answer.endsWith("@" + heavy) ? 1 : 0;
		}
		double sigma = Math.sqrt(calls * 0.75 * 0.25);
		System.out.printf(
				"[figures] OpenFeign, Nacos weights 1 and 3: %d of %d calls on the weight-3 instance,"
						+ " expected %.0f +- %.0f (5 sigma) (%s)%n",
				onHeavy, calls, calls * 0.75, 5 * sigma, nacos.target());
		assertThat((double) onHeavy).isCloseTo(calls * 0.75, within(5 * sigma));
	}

	@Test
	void versionHeaderOfTheIncomingRequestShouldRouteTheFeignCallItMakes() throws Exception {
		ConfigurableApplicationContext consumer = consumer(greeting, 3);
		for (int i = 0; i < 50; i++) {
			assertThat(relay(consumer, "v2")).isEqualTo("v2@" + canary);
			assertThat(relay(consumer, null)).startsWith("v1@");
		}
	}

	@Test
	void instanceThatRefusesConnectionsShouldCostNoFeignCallAndBeTriedOnce() throws Exception {
		String refusing = nacos.target().unique("refusing-greeting");
		provider(refusing);
		int deadPort = registerDeadInstance(refusing);
		ConfigurableApplicationContext consumer = consumer(refusing, 2);
		GreetingClient client = consumer.getBean(GreetingClient.class);
		for (int i = 0; i < 200; i++) {
			assertThat((i % 2 == 0) ? client.greeting() : client.order("order-" + i)).isNotBlank();
		}
		assertThat(consumer.getBean(Attempts.class).to(deadPort)).isLessThanOrEqualTo(1);
	}

	@Test
	void instanceAnswering500ShouldBeEjectedAfterTheConfiguredFailures() {
		String failing = nacos.target().unique("failing-greeting");
		provider(failing);
		provider(failing, "test.fail-with=500");
		ConfigurableApplicationContext consumer = consumer(failing, 2,
				"spring.cloud.nacos.loadbalancer.outlier-detection.fail-on-5xx=true",
				"spring.cloud.nacos.loadbalancer.outlier-detection.consecutive-failures=3");
		GreetingClient client = consumer.getBean(GreetingClient.class);
		int failed = 0;
		for (int i = 0; i < 300; i++) {
			try {
				client.greeting();
			}
			catch (feign.FeignException ex) {
				assertThat(ex.status()).isEqualTo(500);
				failed++;
			}
		}
		System.out.printf("[figures] OpenFeign, one of two instances answering 500: %d of 300 calls failed before"
				+ " it was ejected (%s)%n", failed, nacos.target());
		assertThat(failed).as("3 consecutive failures eject it").isEqualTo(3);
	}

	private static ConfigurableApplicationContext provider(String service, String... extra) {
		ConfigurableApplicationContext provider = ClientApps.provider(nacos.target(), group, service, extra);
		providers.add(provider);
		return provider;
	}

	// Untagged calls to the greeting service go to v1 only; the version header of an
	// incoming request is passed on.
	private ConfigurableApplicationContext consumer(String service, int instances, String... extra) {
		List<String> properties = new ArrayList<>(
				List.of("spring.cloud.nacos.loadbalancer.header-propagation.enabled=true",
						"spring.cloud.nacos.loadbalancer.services." + greeting + ".stable-version=v1"));
		properties.addAll(List.of(extra));
		this.consumer = ClientApps.consumer(nacos.target(), group, service, properties.toArray(String[]::new));
		NacosInstanceView view = this.consumer.getBean(NacosInstanceView.class);
		await().atMost(ClientApps.PUSH).until(() -> view.getInstances(service).size() == instances);
		return this.consumer;
	}

	// The consumer's own endpoint, which makes the Feign call while handling this
	// request.
	private static String relay(ConfigurableApplicationContext consumer, String version) throws Exception {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + ClientApps.port(consumer) + "/relay"))
			.timeout(Duration.ofSeconds(10));
		if (version != null) {
			request.header("X-Gray-Version", version);
		}
		HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as("relay answered %s", response.body()).isEqualTo(200);
		return response.body();
	}

	// Registered and listed as healthy, but nothing listens there.
	private int registerDeadInstance(String service) throws Exception {
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		this.deadInstanceClient = NacosFactory.createNamingService(nacos.target().clientProperties());
		Instance dead = new Instance();
		dead.setIp("127.0.0.1");
		dead.setPort(port);
		this.deadInstanceClient.registerInstance(service, group, dead);
		return port;
	}

}
