package dev.nacosboot.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.loadbalancer.InstanceLoadPublisher;
import dev.nacosboot.loadbalancer.InstanceLoadSignal;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An operator's drain, made through Spring Cloud's {@link ServiceRegistry} (no Actuator
 * involved), stays in force while everything else that changes the instance goes on:
 * readiness flips, warm-up steps, load publications and a restart of the server (the last
 * needs the embedded server's control API).
 */
class OperatorDrainIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final String LOAD_KEY = "load.cpu";

	static NamingService observer;

	static String group;

	@BeforeAll
	static void startObserver() throws Exception {
		group = nacos.target().unique("drain");
		observer = NacosFactory.createNamingService(nacos.target().clientProperties());
	}

	@AfterAll
	static void stopObserver() throws Exception {
		observer.shutDown();
	}

	private static ConfigurableApplicationContext provider(String service, String... extra) {
		Map<String, Object> properties = TestApps.common(nacos.target(), group);
		properties.put("spring.application.name", service);
		properties.put("server.port", "0");
		return new SpringApplicationBuilder(LoadedProvider.class).web(WebApplicationType.SERVLET)
			.properties(properties)
			.properties("spring.cloud.nacos.loadbalancer.load-publishing.sample-interval=50ms",
					"spring.cloud.nacos.loadbalancer.load-publishing.smoothing=50ms",
					"spring.cloud.nacos.loadbalancer.load-publishing.min-update-interval=200ms")
			.properties(extra)
			.run();
	}

	@Test
	void drainSurvivesReadinessFlipsWarmupStepsAndLoadPublications() throws Exception {
		String service = nacos.target().unique("drained");
		try (ConfigurableApplicationContext provider = provider(service, "spring.cloud.nacos.discovery.weight=10",
				"spring.cloud.nacos.discovery.warmup=6s")) {
			NacosRegistration registration = provider.getBean(NacosRegistration.class);
			NacosInstanceReconciler reconciler = provider.getBean(NacosInstanceReconciler.class);
			int port = registration.getPort();
			await().atMost(Duration.ofSeconds(20)).until(() -> visible(service, port));
			provider.getBean(NacosServiceRegistry.class).setStatus(registration, "OUT_OF_SERVICE");
			await().atMost(Duration.ofSeconds(20)).until(() -> !visible(service, port));
			assertThat(registration.getCurrentWeight()).as("still warming up when drained").isLessThan(10);

			AvailabilityChangeEvent.publish(provider, ReadinessState.REFUSING_TRAFFIC);
			AvailabilityChangeEvent.publish(provider, ReadinessState.ACCEPTING_TRAFFIC);
			provider.getBean(LoadedProvider.class).load.set(0.9);
			await().atMost(Duration.ofSeconds(20))
				.until(() -> provider.getBean(InstanceLoadPublisher.class).getUpdateCount() > 0
						&& registration.getCurrentWeight() == 10 && reconciler.isInSync());

			assertThat(registration.getMetadata()).containsKey(LOAD_KEY);
			assertThat(reconciler.outOfTrafficReasons()).containsExactly(OutOfTrafficReason.DRAIN);
			assertThat(visible(service, port)).isFalse();
			provider.getBean(NacosServiceRegistry.class).setStatus(registration, "UP");
			await().atMost(Duration.ofSeconds(20)).until(() -> visible(service, port));
			Instance restored = serverView(service, port);
			assertThat(restored.getWeight()).isEqualTo(10.0);
			assertThat(restored.getMetadata()).containsKey(LOAD_KEY);
		}
	}

	@Test
	void drainSurvivesAServerRestart() throws Exception {
		NacosTestServer server = nacos.target().server();
		String service = nacos.target().unique("restarted");
		try (ConfigurableApplicationContext provider = provider(service)) {
			NacosRegistration registration = provider.getBean(NacosRegistration.class);
			NacosInstanceReconciler reconciler = provider.getBean(NacosInstanceReconciler.class);
			int port = registration.getPort();
			await().atMost(Duration.ofSeconds(20)).until(() -> visible(service, port));
			provider.getBean(NacosServiceRegistry.class).setStatus(registration, "OUT_OF_SERVICE");
			await().atMost(Duration.ofSeconds(20)).until(() -> !visible(service, port) && reconciler.isInSync());

			server.restart();
			// The client's redo registers the instance again as it last sent it: drained.
			await().atMost(Duration.ofSeconds(30)).until(() -> server.instances(null, group, service).size() == 1);
			assertThat(server.instances(null, group, service)).singleElement()
				.satisfies((instance) -> assertThat(instance.isEnabled()).isFalse());
			AvailabilityChangeEvent.publish(provider, ReadinessState.REFUSING_TRAFFIC);
			AvailabilityChangeEvent.publish(provider, ReadinessState.ACCEPTING_TRAFFIC);
			await().atMost(Duration.ofSeconds(20)).until(reconciler::isInSync);
			assertThat(server.instances(null, group, service)).singleElement()
				.satisfies((instance) -> assertThat(instance.isEnabled()).isFalse());
			assertThat(visible(service, port)).isFalse();

			provider.getBean(NacosServiceRegistry.class).setStatus(registration, "UP");
			await().atMost(Duration.ofSeconds(20)).until(() -> visible(service, port));
		}
	}

	// Asks the server (no subscription cache): disabled instances are hidden from every
	// client query.
	private static boolean visible(String service, int port) throws Exception {
		return serverView(service, port) != null;
	}

	private static Instance serverView(String service, int port) throws Exception {
		List<Instance> instances = observer.getAllInstances(service, group, false);
		return instances.stream()
			.filter((instance) -> instance.getPort() == port && instance.isEnabled())
			.findFirst()
			.orElse(null);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class LoadedProvider {

		final AtomicReference<Double> load = new AtomicReference<>(0.0);

		@Bean
		InstanceLoadSignal controlledLoad() {
			return this.load::get;
		}

	}

}
