package dev.nacosboot.loadbalancer;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Passive health and Spring Cloud LoadBalancer's retry with real providers: an instance
 * whose port refuses connections is retried away (zero failed calls) and ejected, for
 * each client type; a provider that starts answering 500 is ejected after the configured
 * number of failures.
 */
class OutlierEjectionAndRetryIntegrationTests {

	private static final String SERVICE = "lb-outlier";

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static String group;

	private static ConfigurableApplicationContext first;

	private static ConfigurableApplicationContext second;

	private static NamingService deadInstanceClient;

	private static int deadPort;

	private ConfigurableApplicationContext consumer;

	@BeforeAll
	static void start() throws Exception {
		group = nacos.target().unique("lb-outlier") + "-" + System.nanoTime();
		first = provider();
		second = provider();
		try (ServerSocket socket = new ServerSocket(0)) {
			deadPort = socket.getLocalPort();
		}
		// Registered, but nothing listens there: every call to it is a refused
		// connection.
		deadInstanceClient = NacosFactory.createNamingService(nacos.target().clientProperties());
		Instance dead = new Instance();
		dead.setIp("127.0.0.1");
		dead.setPort(deadPort);
		deadInstanceClient.registerInstance(SERVICE, group, dead);
	}

	@AfterAll
	static void stop() throws Exception {
		if (deadInstanceClient != null) {
			deadInstanceClient.shutDown();
		}
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { first, second }) {
			if (context != null) {
				context.close();
			}
		}
	}

	@AfterEach
	void closeConsumer() {
		first.getBean(Provider.class).failing.set(false);
		if (this.consumer != null) {
			this.consumer.close();
		}
	}

	private static ConfigurableApplicationContext provider() {
		return new SpringApplicationBuilder(Provider.class).web(WebApplicationType.SERVLET)
			.properties(TestApps.common(nacos.target(), group))
			.properties("spring.application.name=" + SERVICE, "server.port=0")
			.run();
	}

	private ConfigurableApplicationContext consumer(String... properties) {
		this.consumer = new SpringApplicationBuilder(Consumer.class).web(WebApplicationType.NONE)
			.properties(TestApps.common(nacos.target(), group))
			.properties("spring.application.name=outlier-consumer",
					"spring.cloud.nacos.discovery.register-enabled=false")
			.properties(properties)
			.run();
		NacosInstanceView view = this.consumer.getBean(NacosInstanceView.class);
		await().atMost(Duration.ofSeconds(30)).until(() -> view.getInstances(SERVICE).size() == 3);
		return this.consumer;
	}

	@Test
	void restTemplateRetryShouldTurnRefusedConnectionsIntoZeroFailedCallsAndEjectTheDeadInstance() {
		RestTemplate client = consumer(retryOnNextInstance()).getBean(RestTemplate.class);
		for (int i = 0; i < 200; i++) {
			assertThat(client.getForObject("http://" + SERVICE + "/port", String.class)).isNotBlank();
		}
		assertDeadInstanceEjected();
	}

	@Test
	void restClientRetryShouldTurnRefusedConnectionsIntoZeroFailedCallsAndEjectTheDeadInstance() {
		RestClient client = consumer(retryOnNextInstance()).getBean(RestClient.Builder.class).build();
		for (int i = 0; i < 200; i++) {
			assertThat(client.get().uri("http://" + SERVICE + "/port").retrieve().body(String.class)).isNotBlank();
		}
		assertDeadInstanceEjected();
	}

	@Test
	void webClientRetryWithBackoffShouldTurnRefusedConnectionsIntoZeroFailedCallsAndEjectTheDeadInstance() {
		// WebClient's retrying filter is used only when retry is switched on explicitly.
		WebClient client = consumer(retryOnNextInstance(), "spring.cloud.loadbalancer.retry.enabled=true",
				"spring.cloud.loadbalancer.retry.backoff.enabled=true",
				"spring.cloud.loadbalancer.retry.backoff.min-backoff=5ms",
				"spring.cloud.loadbalancer.retry.backoff.max-backoff=50ms")
			.getBean(WebClient.Builder.class)
			.build();
		for (int i = 0; i < 200; i++) {
			assertThat(client.get()
				.uri("http://" + SERVICE + "/port")
				.retrieve()
				.bodyToMono(String.class)
				.block(Duration.ofSeconds(10))).isNotBlank();
		}
		assertDeadInstanceEjected();
	}

	@Test
	void providerThatStartsAnswering500ShouldBeEjectedAfterTheConfiguredFailures() {
		RestClient client = consumer("spring.cloud.nacos.loadbalancer.outlier-detection.fail-on-5xx=true",
				"spring.cloud.nacos.loadbalancer.outlier-detection.consecutive-failures=3",
				"spring.cloud.nacos.loadbalancer.outlier-detection.max-ejected-percent=70",
				"spring.cloud.loadbalancer.retry.enabled=false")
			.getBean(RestClient.Builder.class)
			.build();
		first.getBean(Provider.class).failing.set(true);
		int failed = 0;
		int calls = 0;
		InstanceStatsRegistry stats = this.consumer.getBean(InstanceStatsRegistry.class);
		for (; calls < 2000 && !(isEjected(stats, port(first)) && isEjected(stats, deadPort)); calls++) {
			failed += call(client) ? 0 : 1;
		}
		System.out.printf("failing provider and dead instance both ejected after %d calls, %d of them failed%n", calls,
				failed);
		assertThat(failed).isLessThanOrEqualTo(2 * 3);
		for (int i = 0; i < 200; i++) {
			assertThat(call(client)).isTrue();
		}
	}

	private boolean call(RestClient client) {
		try {
			ResponseEntity<String> response = client.get()
				.uri("http://" + SERVICE + "/port")
				.retrieve()
				.toEntity(String.class);
			return response.getStatusCode().is2xxSuccessful();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private static String retryOnNextInstance() {
		return "spring.cloud.loadbalancer.retry.max-retries-on-next-service-instance=2";
	}

	private void assertDeadInstanceEjected() {
		InstanceStatsRegistry stats = this.consumer.getBean(InstanceStatsRegistry.class);
		assertThat(isEjected(stats, deadPort)).as("dead instance ejected").isTrue();
	}

	private boolean isEjected(InstanceStatsRegistry stats, int port) {
		for (ServiceInstance instance : this.consumer.getBean(NacosInstanceView.class).getInstances(SERVICE)) {
			if (instance.getPort() == port) {
				return stats.isConnectEjected(instance) || stats.statsOf(instance).isEjected(stats.now());
			}
		}
		throw new IllegalStateException("No instance on port " + port);
	}

	private static int port(ConfigurableApplicationContext provider) {
		return Integer.parseInt(provider.getEnvironment().getProperty("local.server.port"));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@RestController
	static class Provider {

		final AtomicBoolean failing = new AtomicBoolean();

		@GetMapping("/port")
		ResponseEntity<String> port(jakarta.servlet.http.HttpServletRequest request) {
			return this.failing.get() ? ResponseEntity.internalServerError().body("failing")
					: ResponseEntity.ok(String.valueOf(request.getLocalPort()));
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Consumer {

		@Bean
		@LoadBalanced
		RestTemplate restTemplate() {
			return new RestTemplate();
		}

		@Bean
		@LoadBalanced
		RestClient.Builder restClientBuilder() {
			return RestClient.builder();
		}

		@Bean
		@LoadBalanced
		WebClient.Builder webClientBuilder() {
			return WebClient.builder().clientConnector(new JdkClientHttpConnector());
		}

	}

}
