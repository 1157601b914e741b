package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.util.Set;

import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A consumer calls providers v1 and v2 (real web applications registered through this
 * starter) through {@code @LoadBalanced} {@link RestClient} and {@link WebClient}, as a
 * user's application does.
 */
class GrayLoadBalancedHttpIntegrationTests {

	private static final String SERVICE = "gray-http";

	private static final String RULES = NacosLoadBalancerProperties.PREFIX + ".services." + SERVICE + ".";

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static String group;

	private static ConfigurableApplicationContext v1;

	private static ConfigurableApplicationContext v2;

	private static ConfigurableApplicationContext consumer;

	@BeforeAll
	static void start() {
		group = nacos.target().unique("lb-http") + "-" + System.nanoTime();
		v1 = provider("v1");
		v2 = provider("v2");
		consumer = new SpringApplicationBuilder(Consumer.class).web(WebApplicationType.NONE)
			.properties(TestApps.common(nacos.target(), group))
			.properties("spring.application.name=gray-consumer", "spring.cloud.nacos.discovery.register-enabled=false",
					RULES + "canary.v2=25", RULES + "on-missing-version=fail")
			.run();
		NacosInstanceView view = consumer.getBean(NacosInstanceView.class);
		await().atMost(Duration.ofSeconds(30)).until(() -> view.getInstances(SERVICE).size() == 2);
	}

	@AfterAll
	static void stop() {
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { consumer, v1, v2 }) {
			if (context != null) {
				context.close();
			}
		}
	}

	private static ConfigurableApplicationContext provider(String version) {
		return new SpringApplicationBuilder(Provider.class).web(WebApplicationType.SERVLET)
			.properties(TestApps.common(nacos.target(), group))
			.properties("spring.application.name=" + SERVICE, "server.port=0",
					"spring.cloud.nacos.discovery.metadata.version=" + version)
			.run();
	}

	@Test
	void restClientWithVersionHeaderShouldReachThatVersion() {
		RestClient client = consumer.getBean(RestClient.Builder.class).build();
		for (int i = 0; i < 50; i++) {
			assertThat(client.get()
				.uri("http://" + SERVICE + "/version")
				.header("X-Gray-Version", "v2")
				.retrieve()
				.body(String.class)).isEqualTo("v2");
			assertThat(client.get()
				.uri("http://" + SERVICE + "/version")
				.header("X-Gray-Version", "v1")
				.retrieve()
				.body(String.class)).isEqualTo("v1");
		}
	}

	@Test
	void webClientWithVersionHeaderShouldReachThatVersion() {
		WebClient client = consumer.getBean(WebClient.Builder.class).build();
		for (int i = 0; i < 50; i++) {
			assertThat(client.get()
				.uri("http://" + SERVICE + "/version")
				.header("X-Gray-Version", "v2")
				.retrieve()
				.bodyToMono(String.class)
				.block()).isEqualTo("v2");
		}
	}

	@Test
	void untaggedCallsShouldSplitByTheCanaryPercentageWithinStatisticalTolerance() {
		RestClient client = consumer.getBean(RestClient.Builder.class).build();
		Draws draws = new Draws();
		for (int i = 0; i < 800; i++) {
			draws.add(client.get().uri("http://" + SERVICE + "/version").retrieve().body(String.class));
		}
		draws.assertShare("v2", 0.25, "HTTP calls on canary v2 at 25%");
	}

	@Test
	void missingVersionShouldFailWith503WhenTheRuleSaysSo() {
		WebClient client = consumer.getBean(WebClient.Builder.class).build();
		assertThatExceptionOfType(WebClientResponseException.class)
			.isThrownBy(() -> client.get()
				.uri("http://" + SERVICE + "/version")
				.header("X-Gray-Version", "v9")
				.retrieve()
				.bodyToMono(String.class)
				.block())
			.satisfies((ex) -> assertThat(ex.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE));
	}

	@Test
	void ruleChangeShouldApplyToTheNextCall() {
		RestClient client = consumer.getBean(RestClient.Builder.class).build();
		try {
			change(RULES + "canary.v2=100");
			for (int i = 0; i < 50; i++) {
				assertThat(client.get().uri("http://" + SERVICE + "/version").retrieve().body(String.class))
					.isEqualTo("v2");
			}
			change(RULES + "canary.v2=0");
			for (int i = 0; i < 50; i++) {
				assertThat(client.get().uri("http://" + SERVICE + "/version").retrieve().body(String.class))
					.isEqualTo("v1");
			}
		}
		finally {
			change(RULES + "canary.v2=25");
		}
	}

	private static void change(String property) {
		TestPropertyValues.of(property).applyTo(consumer);
		consumer
			.publishEvent(new EnvironmentChangeEvent(consumer, Set.of(property.substring(0, property.indexOf('=')))));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@RestController
	static class Provider {

		@Value("${spring.cloud.nacos.discovery.metadata.version}")
		private String version;

		@GetMapping("/version")
		String version() {
			return this.version;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Consumer {

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
