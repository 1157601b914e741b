package dev.nacosboot.clients;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.cloud.loadbalancer.core.HealthCheckServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spring Cloud's {@code health-check} chain on the push-fed supplier: the supplier's
 * stream goes on with a new list after each push, so a provider that registers is health
 * checked and gets calls at once, with neither a refetch nor a repeated check.
 */
class HealthCheckChainIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

	@AfterAll
	static void stop() {
		contexts.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void pushedProviderShouldBeHealthCheckedAndCalledWithoutARefetch() {
		NacosTarget target = nacos.target();
		String group = target.unique("health-check");
		String service = target.unique("checked-greeting");
		ConfigurableApplicationContext first = start(ClientApps.provider(target, group, service));
		ConfigurableApplicationContext consumer = start(
				ClientApps.application(HealthCheckedConsumer.class, target, group)
					.web(WebApplicationType.NONE)
					.properties("spring.application.name=health-check-consumer",
							"spring.cloud.nacos.discovery.register-enabled=false",
							"spring.cloud.loadbalancer.configurations=health-check",
							"spring.cloud.loadbalancer.health-check.path.default=/greeting",
							// Only the pushed list can bring a new provider in: no
							// refetch, and
							// the first check is not repeated within the test.
							"spring.cloud.loadbalancer.health-check.refetch-instances=false",
							"spring.cloud.loadbalancer.health-check.interval=10m")
					.run());
		assertThat(consumer.getBean(LoadBalancerClientFactory.class)
			.getInstance(service, ServiceInstanceListSupplier.class))
			.isInstanceOf(HealthCheckServiceInstanceListSupplier.class);
		RestTemplate client = consumer.getBean(RestTemplate.class);
		String url = "http://" + service + "/greeting";
		await().atMost(ClientApps.PUSH)
			.ignoreExceptions()
			.until(() -> client.getForObject(url, String.class), (answer) -> answer.endsWith("@" + port(first)));
		ConfigurableApplicationContext second = start(ClientApps.provider(target, group, service));
		await().atMost(ClientApps.PUSH)
			.until(() -> client.getForObject(url, String.class), (answer) -> answer.endsWith("@" + port(second)));
	}

	private static ConfigurableApplicationContext start(ConfigurableApplicationContext context) {
		contexts.add(context);
		return context;
	}

	private static int port(ConfigurableApplicationContext context) {
		return ClientApps.port(context);
	}

	/**
	 * A consumer calling through a {@code @LoadBalanced RestTemplate}, with a plain
	 * {@code WebClient.Builder} for the health checks: Spring Cloud's chain checks with
	 * the context's only builder (or, without one, its only {@code RestTemplate}), which
	 * must not be {@code @LoadBalanced}.
	 */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class HealthCheckedConsumer {

		@Bean
		@LoadBalanced
		RestTemplate restTemplate() {
			return new RestTemplate();
		}

		@Bean
		WebClient.Builder healthCheckWebClientBuilder() {
			return WebClient.builder();
		}

	}

}
