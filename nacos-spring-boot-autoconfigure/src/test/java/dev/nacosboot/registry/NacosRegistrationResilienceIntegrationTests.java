package dev.nacosboot.registry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Registration and discovery while the server goes away and comes back; needs the
 * embedded server's control API.
 */
@ExtendWith(OutputCaptureExtension.class)
class NacosRegistrationResilienceIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	@Test
	void startupWithTheServerDownStartsAndRegistersOnceTheServerIsUp() {
		NacosTestServer server = nacos.target().server();
		String group = nacos.target().unique("down");
		String service = nacos.target().unique("late");
		server.stop();
		try (ConfigurableApplicationContext provider = TestApps.provider(nacos.target(), group, service,
				"spring.cloud.nacos.discovery.retry.initial-interval=200ms",
				"spring.cloud.nacos.discovery.retry.max-interval=1s")) {
			assertThat(provider.isRunning()).isTrue();
			assertThat(server.instances(null, group, service)).isEmpty();
			server.start();
			await().atMost(Duration.ofSeconds(30)).until(() -> server.instances(null, group, service).size() == 1);
			// The server lists the instance a moment before the client's call returns.
			await().atMost(Duration.ofSeconds(10))
				.until(() -> provider.getBean(NacosAutoServiceRegistration.class).isRegistered());
		}
		finally {
			server.start();
		}
	}

	@Test
	void registrationTheServerRefusesIsLoggedOnceAndNotSentAgain(CapturedOutput output) {
		NacosTestServer server = nacos.target().server();
		String group = nacos.target().unique("refused");
		String service = nacos.target().unique("oversized");
		long before = server.requestCount("InstanceRequest");
		// The application is told that its server accepts more metadata than it does, so
		// the startup check passes.
		try (ConfigurableApplicationContext provider = TestApps.provider(nacos.target(), group, service,
				"spring.cloud.nacos.discovery.max-metadata-length=4096",
				"spring.cloud.nacos.discovery.metadata.description=" + "d".repeat(2000),
				"spring.cloud.nacos.discovery.retry.initial-interval=100ms",
				"spring.cloud.nacos.discovery.retry.max-interval=200ms")) {
			await().atMost(Duration.ofSeconds(10)).until(() -> output.getOut().contains("refused to register"));
			// Neither the starter's retries (every 100-200 ms) nor the client's redo task
			// (every 3 s) send it again.
			AtomicLong seen = new AtomicLong(-1);
			AtomicLong quietSince = new AtomicLong();
			await().atMost(Duration.ofSeconds(20)).until(() -> {
				long count = server.requestCount("InstanceRequest");
				if (count != seen.getAndSet(count)) {
					quietSince.set(System.nanoTime());
				}
				return System.nanoTime() - quietSince.get() > Duration.ofSeconds(7).toNanos();
			});
			assertThat(server.instances(null, group, service)).isEmpty();
			assertThat(provider.getBean(NacosAutoServiceRegistration.class).isRegistered()).isFalse();
			String out = output.getOut();
			assertThat(out.split("refused to register", -1)).hasSize(2);
			assertThat(out)
				.contains("Param check invalid:Param 'Metadata' is illegal, the param length should not exceed 1024.");
			System.out.printf(
					"[figures] registration refused for its metadata: %d instance requests in all "
							+ "(register, withdraw, register again when ready, withdraw), none in the next 7 s%n",
					server.requestCount("InstanceRequest") - before);
		}
	}

	@Test
	void serverRestartKeepsTheRegistrationAndTheConsumersInstances() {
		NacosTestServer server = nacos.target().server();
		String group = nacos.target().unique("restart");
		String service = nacos.target().unique("survivor");
		try (ConfigurableApplicationContext provider = TestApps.provider(nacos.target(), group, service);
				ConfigurableApplicationContext consumer = TestApps.consumer(nacos.target(), group)) {
			DiscoveryClient discovery = consumer.getBean(DiscoveryClient.class);
			await().atMost(Duration.ofSeconds(20)).until(() -> discovery.getInstances(service).size() == 1);
			long start = System.nanoTime();
			server.restart();
			await().atMost(Duration.ofSeconds(30)).until(() -> server.instances(null, group, service).size() == 1);
			long reRegistered = System.nanoTime();
			await().atMost(Duration.ofSeconds(30)).until(() -> discovery.getInstances(service).size() == 1);
			System.out.printf("[figures] server restart -> instance re-registered by the client's redo %d ms%n",
					(reRegistered - start) / 1_000_000);
		}
	}

	@Test
	void consumerKeepsTheLastKnownInstancesWhileTheServerIsDown() throws Exception {
		NacosTestServer server = nacos.target().server();
		String group = nacos.target().unique("outage");
		String service = nacos.target().unique("kept");
		NamingService provider = NacosFactory.createNamingService(nacos.target().clientProperties());
		try (ConfigurableApplicationContext consumer = TestApps.consumer(nacos.target(), group)) {
			provider.registerInstance(service, group, "127.0.0.1", 8081);
			DiscoveryClient discovery = consumer.getBean(DiscoveryClient.class);
			await().atMost(Duration.ofSeconds(20)).until(() -> discovery.getInstances(service).size() == 1);
			server.stop();
			await().atMost(Duration.ofSeconds(20))
				.until(() -> !"UP".equals(consumer.getBean(NamingService.class).getServerStatus()));
			List<ServiceInstance> duringOutage = discovery.getInstances(service);
			assertThat(duringOutage).singleElement().satisfies((i) -> assertThat(i.getPort()).isEqualTo(8081));
		}
		finally {
			server.start();
			provider.shutDown();
		}
	}

	@Test
	void droppedProviderConnectionRemovesItsInstanceFromConsumers() throws Exception {
		String group = nacos.target().unique("drop");
		String service = nacos.target().unique("dropped");
		NamingService provider = NacosFactory.createNamingService(nacos.target().clientProperties());
		try (ConfigurableApplicationContext consumer = TestApps.consumer(nacos.target(), group)) {
			DiscoveryClient discovery = consumer.getBean(DiscoveryClient.class);
			assertThat(discovery.getInstances(service)).isEmpty();
			long registering = System.nanoTime();
			provider.registerInstance(service, group, "127.0.0.1", 8082);
			long registered = System.nanoTime();
			await().atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(2))
				.until(() -> discovery.getInstances(service).size() == 1);
			long seen = System.nanoTime();
			provider.shutDown();
			long dropped = System.nanoTime();
			await().atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(2))
				.until(() -> discovery.getInstances(service).isEmpty());
			System.out.printf(
					"[figures] registerInstance call %d ms, then getInstances sees it %d ms after it "
							+ "returned; connection closed -> getInstances drops it %d ms%n",
					(registered - registering) / 1_000_000, (seen - registered) / 1_000_000,
					(System.nanoTime() - dropped) / 1_000_000);
		}
	}

	@Test
	void twoContextsAgainstTwoServersSeeOnlyTheirOwnServer() {
		NacosTestServer first = nacos.target().server();
		String group = nacos.target().unique("iso");
		try (NacosTestServer second = NacosTestServer.builder().build().start();
				ConfigurableApplicationContext a = TestApps.provider(nacos.target(), group, "same-name");
				ConfigurableApplicationContext b = TestApps.provider(nacos.target(), group, "same-name",
						"spring.cloud.nacos.server-addr=" + second.serverAddr())) {
			int portA = a.getBean(NacosRegistration.class).getPort();
			int portB = b.getBean(NacosRegistration.class).getPort();
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				assertThat(first.instances(null, group, "same-name")).extracting((i) -> i.getPort())
					.containsExactly(portA);
				assertThat(second.instances(null, group, "same-name")).extracting((i) -> i.getPort())
					.containsExactly(portB);
				assertThat(a.getBean(DiscoveryClient.class).getInstances("same-name"))
					.extracting(ServiceInstance::getPort)
					.containsExactly(portA);
				assertThat(b.getBean(DiscoveryClient.class).getInstances("same-name"))
					.extracting(ServiceInstance::getPort)
					.containsExactly(portB);
			});
			assertThat(a.getBean(NamingService.class)).isNotSameAs(b.getBean(NamingService.class));
		}
	}

	@Test
	void consumerStartingWhileTheServerIsDownAnswersFromTheOnDiskCacheWhenConfigured() throws Exception {
		NacosTestServer server = nacos.target().server();
		String group = nacos.target().unique("cache");
		String service = nacos.target().unique("cached");
		NamingService provider = NacosFactory.createNamingService(nacos.target().clientProperties());
		try {
			provider.registerInstance(service, group, "127.0.0.1", 8083);
			try (ConfigurableApplicationContext first = TestApps.consumer(nacos.target(), group)) {
				await().atMost(Duration.ofSeconds(20))
					.until(() -> first.getBean(DiscoveryClient.class).getInstances(service).size() == 1);
			}
			server.stop();
			try (ConfigurableApplicationContext second = TestApps.consumer(nacos.target(), group,
					"spring.cloud.nacos.discovery.naming-load-cache-at-start=true")) {
				assertThat(second.getBean(DiscoveryClient.class).getInstances(service))
					.extracting(ServiceInstance::getPort)
					.containsExactly(8083);
			}
		}
		finally {
			server.start();
			provider.shutDown();
		}
	}

}
