package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.reactive.ReactiveLoadBalancer;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Load-aware weights end to end: providers publish their load into their own Nacos
 * metadata through this starter, the consumer's balancer gives the loaded one a smaller
 * share; and the number of instance updates stays within its bound while the load swings
 * on every sample.
 */
class LoadAwareWeightIntegrationTests {

	private static final String SERVICE = "lb-load";

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static ConfigurableApplicationContext hot;

	private static ConfigurableApplicationContext cool;

	private static ConfigurableApplicationContext consumer;

	@BeforeAll
	static void start() {
		String group = nacos.target().unique("lb-load") + "-" + System.nanoTime();
		hot = provider(group, "0.95");
		cool = provider(group, "0.05");
		consumer = TestApps.consumer(nacos.target(), group);
	}

	@AfterAll
	static void stop() {
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { consumer, hot, cool }) {
			if (context != null) {
				context.close();
			}
		}
	}

	private static ConfigurableApplicationContext provider(String group, String load) {
		return new SpringApplicationBuilder(Provider.class).web(WebApplicationType.SERVLET)
			.properties(TestApps.common(nacos.target(), group))
			.properties("spring.application.name=" + SERVICE, "server.port=0", "provider.load=" + load,
					"spring.cloud.nacos.loadbalancer.load-publishing.sample-interval=50ms",
					"spring.cloud.nacos.loadbalancer.load-publishing.smoothing=200ms",
					"spring.cloud.nacos.loadbalancer.load-publishing.min-update-interval=1s")
			.run();
	}

	@Test
	void providerReportingHighLoadShouldReceiveASmallerShare() {
		NacosInstanceView view = consumer.getBean(NacosInstanceView.class);
		long start = System.nanoTime();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> view.getInstances(SERVICE).stream().anyMatch((i) -> i.getMetadata().containsKey("load.cpu")));
		System.out.printf("published load reached the consumer %d ms after it subscribed%n",
				(System.nanoTime() - start) / 1_000_000);
		ReactiveLoadBalancer<ServiceInstance> balancer = consumer.getBean(LoadBalancerClientFactory.class)
			.getInstance(SERVICE);
		int hotPort = Integer.parseInt(hot.getEnvironment().getProperty("local.server.port"));
		Draws draws = new Draws();
		for (int i = 0; i < 20_000; i++) {
			ServiceInstance chosen = Requests.choose(balancer);
			draws.add((chosen.getPort() == hotPort) ? "hot" : "cool");
		}
		// 95 % load keeps 28 % of the weight: 0.28 / 1.28.
		draws.assertShare("hot", LoadWeightFactor.of(0.95, 0.2) / (1 + LoadWeightFactor.of(0.95, 0.2)),
				"share of the provider at 95 % load");
	}

	@Test
	void loadSwingingOnEverySampleShouldUpdateTheInstanceAtMostOncePerInterval() {
		Provider provider = hot.getBean(Provider.class);
		InstanceLoadPublisher publisher = hot.getBean(InstanceLoadPublisher.class);
		long updatesBefore = publisher.getUpdateCount();
		long requestsBefore = nacos.target().isExternal() ? 0 : nacos.target().server().requestCount("InstanceRequest");
		long start = System.nanoTime();
		provider.swinging.set(true);
		try {
			await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(7)).until(() -> true);
		}
		finally {
			provider.swinging.set(false);
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		long updates = publisher.getUpdateCount() - updatesBefore;
		System.out.printf("load swinging 0/100 %% every 50 ms for %.1f s: %d instance updates (bound: 1 per s)%n",
				seconds, updates);
		assertThat(updates).isPositive().isLessThanOrEqualTo((long) Math.ceil(seconds) + 1);
		if (!nacos.target().isExternal()) {
			long requests = nacos.target().server().requestCount("InstanceRequest") - requestsBefore;
			System.out.printf("InstanceRequests received by the server in that time: %d%n", requests);
			// The other provider keeps its steady load: it adds no update of its own.
			assertThat(requests).isLessThanOrEqualTo((long) Math.ceil(seconds) + 1);
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@RestController
	static class Provider {

		final AtomicBoolean swinging = new AtomicBoolean();

		@Bean
		InstanceLoadSignal testLoadSignal(org.springframework.core.env.Environment environment) {
			double load = Double.parseDouble(environment.getProperty("provider.load"));
			boolean[] high = { false };
			return () -> {
				if (this.swinging.get()) {
					high[0] = !high[0];
					return high[0] ? 1.0 : 0.0;
				}
				return load;
			};
		}

	}

}
