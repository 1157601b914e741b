package dev.nacosboot.reliability;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.actuate.NacosConfigConnection;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Nacos server goes away while applications work: consumers keep calling providers
 * from the last known instances, and everything the applications had on the server
 * (registrations, subscriptions, config listeners) comes back by itself, once, with the
 * changes made meanwhile.
 * <p>
 * The outage lasts until every client has noticed it, plus {@code reliability.outage}
 * (default 3s; the figure is 10s, {@code -Dreliability.outage=10s}). Nothing in
 * the clients is timed beyond noticing the loss and retrying the connection, so a longer
 * outage only repeats the retries.
 */
class ServerOutageIntegrationTests {

	private static final Duration OUTAGE = Duration
		.parse("PT" + System.getProperty("reliability.outage", "3s").toUpperCase());

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	@Test
	void serverStoppedWhileConsumerCallsKeepsCallsWorkingAndRestoresEverythingOnceAfterRestart() throws Exception {
		NacosTestServer server = nacos.target().server();
		String group = nacos.target().unique("outage");
		String service = nacos.target().unique("provider");
		String dataId = nacos.target().unique("outage-consumer") + ".properties";
		server.publishConfig(null, group, dataId, "reliability.greeting=before", "properties");
		try (ConfigurableApplicationContext provider = TestApps.provider(nacos.target(), group, service);
				ConfigurableApplicationContext consumer = ReliabilityApps.consumer(nacos.target(), group,
						"spring.config.import=nacos:" + dataId + "?group=" + group + "&refresh=true")) {
			DiscoveryClient discovery = consumer.getBean(DiscoveryClient.class);
			await().atMost(Duration.ofSeconds(20)).until(() -> discovery.getInstances(service).size() == 1);
			assertThat(consumer.getEnvironment().getProperty("reliability.greeting")).isEqualTo("before");
			try (CallLoop calls = new CallLoop("outage-calls", () -> ReliabilityApps.ping(consumer, service))) {
				await().atMost(Duration.ofSeconds(20)).until(() -> calls.succeeded() > 10);
				long stopped = System.nanoTime();
				server.stop();
				NamingService providerNaming = provider.getBean(NamingService.class);
				NamingService consumerNaming = consumer.getBean(NamingService.class);
				NacosConfigConnection consumerConfig = consumer.getBean(NacosConfigConnection.class);
				await().atMost(Duration.ofSeconds(30))
					.until(() -> !"UP".equals(providerNaming.getServerStatus())
							&& !"UP".equals(consumerNaming.getServerStatus()) && !consumerConfig.isConnected());
				long noticed = System.nanoTime();
				long callsBefore = calls.succeeded();
				// An operator changes the config while this application cannot reach the
				// server.
				server.publishConfig(null, group, dataId, "reliability.greeting=during-outage", "properties");
				await().atMost(OUTAGE.plusSeconds(30))
					.until(() -> System.nanoTime() - noticed >= OUTAGE.toNanos() && calls.succeeded() > callsBefore);
				assertThat(discovery.getInstances(service)).as("last known instances during the outage").hasSize(1);
				long callsDuringOutage = calls.succeeded() - callsBefore;
				long outage = System.nanoTime() - stopped;
				server.start();
				long started = System.nanoTime();
				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(server.instances(null, group, service)).hasSize(1));
				long registered = System.nanoTime();
				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(server.subscribers(null, group, service)).isNotEmpty());
				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(server.configListeners(null, group, dataId)).isNotEmpty());
				await().atMost(Duration.ofSeconds(30))
					.until(() -> "during-outage".equals(consumer.getEnvironment().getProperty("reliability.greeting")));
				long configApplied = System.nanoTime();
				// A change after the outage still reaches the application: the listener
				// is really back.
				server.publishConfig(null, group, dataId, "reliability.greeting=after", "properties");
				await().atMost(Duration.ofSeconds(30))
					.until(() -> "after".equals(consumer.getEnvironment().getProperty("reliability.greeting")));
				long callsAfter = calls.succeeded();
				await().atMost(Duration.ofSeconds(20)).until(() -> calls.succeeded() > callsAfter + 10);
				calls.close();
				System.out.printf("[figures] outage of %d ms (%d ms after every client noticed): %d calls during the"
						+ " outage, %d calls in all, %d failed; after the restart: registered again %d ms, config"
						+ " changed during the outage applied %d ms%n", (outage) / 1_000_000, OUTAGE.toMillis(),
						callsDuringOutage, calls.succeeded(), calls.failed(), (registered - started) / 1_000_000,
						(configApplied - started) / 1_000_000);
				assertThat(calls.failed()).as("failed calls, first: %s", calls.failures()).isZero();
				assertThat(callsDuringOutage).isPositive();
			}
			List<Instance> instances = server.instances(null, group, service);
			assertThat(instances).as("registered once").hasSize(1);
			assertThat(distinctAddresses(discovery.getInstances(service))).hasSize(1);
			assertThat(discovery.getInstances(service)).hasSize(1);
		}
	}

	private static Set<String> distinctAddresses(List<ServiceInstance> instances) {
		return instances.stream().map((i) -> i.getHost() + ":" + i.getPort()).collect(Collectors.toSet());
	}

}
