package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The least-latency strategy with real providers: once one of three turns 250 ms slower,
 * its share of the calls shrinks far below a third; latency is measured through Spring
 * Cloud LoadBalancer's lifecycle callbacks of a {@code @LoadBalanced WebClient}.
 */
class LeastLatencyIntegrationTests {

	private static final long SLOW_MILLIS = 250;

	private static final String SERVICE = "lb-latency";

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final ConfigurableApplicationContext[] providers = new ConfigurableApplicationContext[3];

	private static ConfigurableApplicationContext consumer;

	@BeforeAll
	static void start() {
		String group = nacos.target().unique("lb-latency") + "-" + System.nanoTime();
		for (int i = 0; i < providers.length; i++) {
			providers[i] = new SpringApplicationBuilder(Provider.class).web(WebApplicationType.SERVLET)
				.properties(TestApps.common(nacos.target(), group))
				.properties("spring.application.name=" + SERVICE, "server.port=0")
				.run();
		}
		consumer = new SpringApplicationBuilder(Consumer.class).web(WebApplicationType.NONE)
			.properties(TestApps.common(nacos.target(), group))
			.properties("spring.application.name=latency-consumer",
					"spring.cloud.nacos.discovery.register-enabled=false",
					"spring.cloud.nacos.loadbalancer.services." + SERVICE + ".strategy=least-latency",
					"spring.cloud.nacos.loadbalancer.least-latency.decay-time=2s")
			.run();
		NacosInstanceView view = consumer.getBean(NacosInstanceView.class);
		await().atMost(Duration.ofSeconds(30)).until(() -> view.getInstances(SERVICE).size() == 3);
	}

	@AfterAll
	static void stop() {
		if (consumer != null) {
			consumer.close();
		}
		for (ConfigurableApplicationContext provider : providers) {
			if (provider != null) {
				provider.close();
			}
		}
	}

	@Test
	void providerThatTurnsSlowShouldReceiveAShrinkingShare() {
		WebClient client = consumer.getBean(WebClient.Builder.class).build();
		String slowPort = providers[0].getEnvironment().getProperty("local.server.port");
		// A provider whose code is still cold answers its first calls slower, and
		// least-latency rightly keeps it out until its average decays: warm every
		// provider first, so that the share when all are fast is a fair one.
		WebClient direct = WebClient.builder().clientConnector(new JdkClientHttpConnector()).build();
		for (ConfigurableApplicationContext provider : providers) {
			for (int i = 0; i < 200; i++) {
				direct.get()
					.uri("http://127.0.0.1:" + provider.getEnvironment().getProperty("local.server.port") + "/port")
					.retrieve()
					.bodyToMono(String.class)
					.block(Duration.ofSeconds(10));
			}
		}
		calls(client, 100);
		Draws before = calls(client, 200);
		System.out.println("least-latency, all fast: " + before);
		providers[0].getBean(Provider.class).slow.set(true);
		Draws warmUp = calls(client, 100);
		Draws after = calls(client, 200);
		System.out.println(
				"least-latency, one " + SLOW_MILLIS + " ms slower: first 100 calls " + warmUp + ", next 200 " + after);
		// All fast: spread over the instances. Which one gets least then is noise (the
		// one whose average happens to be highest waits until it decays), so only the
		// spread is asserted, not the slow-to-be instance's share.
		for (String port : List.of("0", "1", "2")) {
			String instancePort = providers[Integer.parseInt(port)].getEnvironment().getProperty("local.server.port");
			assertThat(before.count(instancePort)).as("all fast, calls on %s", instancePort).isLessThan(200 * 4 / 5);
		}
		// A fair share would be a third; the slow instance only wins again once its
		// decayed average looks cheap.
		assertThat(after.count(slowPort)).isLessThan(200 / 6);
	}

	private static Draws calls(WebClient client, int n) {
		Draws draws = new Draws();
		for (int i = 0; i < n; i++) {
			draws.add(client.get()
				.uri("http://" + SERVICE + "/port")
				.retrieve()
				.bodyToMono(String.class)
				.block(Duration.ofSeconds(10)));
		}
		return draws;
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@RestController
	static class Provider {

		final AtomicBoolean slow = new AtomicBoolean();

		@GetMapping("/port")
		CompletableFuture<String> port(HttpServletRequest request) {
			String port = String.valueOf(request.getLocalPort());
			// The slow provider answers later, without holding a request thread; by far
			// more than a loaded machine's noise in the other answers.
			return this.slow.get()
					? CompletableFuture.supplyAsync(() -> port,
							CompletableFuture.delayedExecutor(SLOW_MILLIS, TimeUnit.MILLISECONDS))
					: CompletableFuture.completedFuture(port);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Consumer {

		@Bean
		@LoadBalanced
		WebClient.Builder webClientBuilder() {
			return WebClient.builder().clientConnector(new JdkClientHttpConnector());
		}

	}

}
