package dev.nacosboot.registry;

import java.time.Duration;
import java.util.List;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A provider application registering itself, seen by another client and by a consumer application's
 * {@link DiscoveryClient}.
 */
class NacosRegistrationIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	static NamingService observer;

	static ConfigurableApplicationContext consumer;

	static String group;

	@BeforeAll
	static void startObserverAndConsumer() throws Exception {
		group = nacos.target().unique("reg");
		observer = NacosFactory.createNamingService(nacos.target().clientProperties());
		consumer = TestApps.consumer(nacos.target(), group);
	}

	@AfterAll
	static void stop() throws Exception {
		consumer.close();
		observer.shutDown();
	}

	private static List<Instance> seenByObserver(String service) throws Exception {
		return observer.getAllInstances(service, group, false);
	}

	private static DiscoveryClient discovery() {
		return consumer.getBean(DiscoveryClient.class);
	}

	@Test
	void registersWithFieldsSeenByAnotherClient() throws Exception {
		String service = nacos.target().unique("fields");
		try (ConfigurableApplicationContext provider = TestApps.provider(nacos.target(), group, service,
				"spring.cloud.nacos.discovery.weight=3", "spring.cloud.nacos.discovery.cluster-name=zone-a",
				"spring.cloud.nacos.discovery.metadata.version=1.2.3", "spring.cloud.nacos.discovery.metadata.team=blue")) {
			int port = provider.getBean(NacosRegistration.class).getPort();
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				List<Instance> instances = seenByObserver(service);
				assertThat(instances).hasSize(1);
				Instance instance = instances.get(0);
				assertThat(instance.getIp()).isEqualTo("127.0.0.1");
				assertThat(instance.getPort()).isEqualTo(port);
				assertThat(instance.getWeight()).isEqualTo(3.0);
				assertThat(instance.getClusterName()).isEqualTo("zone-a");
				assertThat(instance.isEnabled()).isTrue();
				assertThat(instance.isEphemeral()).isTrue();
				assertThat(instance.getMetadata()).containsEntry("version", "1.2.3")
					.containsEntry("team", "blue")
					.containsEntry("preserved.register.source", "SPRING_CLOUD")
					.containsEntry("secure", "false");
			});
		}
	}

	@Test
	void discoveryFollowsRegistrationAndShutdownThroughPushes() {
		String service = nacos.target().unique("push");
		assertThat(discovery().getInstances(service)).isEmpty();
		long start = System.nanoTime();
		ConfigurableApplicationContext provider = TestApps.provider(nacos.target(), group, service);
		long started = System.nanoTime();
		int port = provider.getBean(NacosRegistration.class).getPort();
		await().atMost(Duration.ofSeconds(20))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(2))
			.until(() -> discovery().getInstances(service).stream().anyMatch((i) -> i.getPort() == port));
		long seen = System.nanoTime();
		System.out.printf("[figures] provider start %d ms; ready -> consumer getInstances sees it %d ms%n",
				(started - start) / 1_000_000, (seen - started) / 1_000_000);
		ServiceInstance instance = discovery().getInstances(service).get(0);
		assertThat(instance.getUri().toString()).isEqualTo("http://127.0.0.1:" + port);
		long closing = System.nanoTime();
		provider.close();
		long closed = System.nanoTime();
		boolean goneWhenCloseReturned = discovery().getInstances(service).isEmpty();
		await().atMost(Duration.ofSeconds(20))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(2))
			.until(() -> discovery().getInstances(service).isEmpty());
		System.out.println("[figures] removal already seen by the consumer when close() returned: " + goneWhenCloseReturned);
		System.out.printf("[figures] provider close %d ms; close -> consumer sees removal %d ms after close returned%n",
				(closed - closing) / 1_000_000, (System.nanoTime() - closed) / 1_000_000);
	}

	@Test
	void readinessStateMakesTheInstanceRoutableOrNot() throws Exception {
		String service = nacos.target().unique("ready");
		try (ConfigurableApplicationContext provider = TestApps.provider(nacos.target(), group, service)) {
			await().atMost(Duration.ofSeconds(20)).until(() -> discovery().getInstances(service).size() == 1);
			AvailabilityChangeEvent.publish(provider, ReadinessState.REFUSING_TRAFFIC);
			await().atMost(Duration.ofSeconds(20)).until(() -> discovery().getInstances(service).isEmpty());
			// Nacos hides disabled instances from every client, not only from this starter's discovery.
			assertThat(seenByObserver(service)).isEmpty();
			AvailabilityChangeEvent.publish(provider, ReadinessState.ACCEPTING_TRAFFIC);
			await().atMost(Duration.ofSeconds(20)).until(() -> discovery().getInstances(service).size() == 1);
		}
	}

}
