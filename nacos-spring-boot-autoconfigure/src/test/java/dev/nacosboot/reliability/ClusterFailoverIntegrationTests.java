package dev.nacosboot.reliability;

import java.time.Duration;
import java.util.List;

import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two servers in {@code server-addr}: when the one a client is connected to stops, the
 * client moves to the other and replays its registration, subscription and config
 * listener there. The test servers do not replicate, so everything found on the second
 * server was put there by the client.
 */
class ClusterFailoverIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	@Test
	void stoppingTheServerInUseMovesRegistrationSubscriptionAndConfigListenerToTheOther() {
		NacosTestServer first = nacos.target().server();
		String group = nacos.target().unique("failover");
		String service = nacos.target().unique("mover");
		String dataId = service + ".properties";
		try (NacosTestServer second = NacosTestServer.builder().build().start()) {
			for (NacosTestServer server : List.of(first, second)) {
				server.publishConfig(null, group, dataId, "reliability.value=seed", "properties");
			}
			try (ConfigurableApplicationContext app = TestApps.provider(nacos.target(), group, service,
					"spring.cloud.nacos.server-addr=" + first.serverAddr() + "," + second.serverAddr(),
					"spring.config.import=nacos:" + dataId + "?group=" + group + "&refresh=true")) {
				DiscoveryClient discovery = app.getBean(DiscoveryClient.class);
				// The application discovers its own service: subscribed, and seeing its
				// own instance.
				await().atMost(Duration.ofSeconds(20)).until(() -> discovery.getInstances(service).size() == 1);
				NacosTestServer used = first.instances(null, group, service).isEmpty() ? second : first;
				NacosTestServer other = (used == first) ? second : first;
				assertThat(used.instances(null, group, service)).hasSize(1);
				assertThat(used.subscribers(null, group, service)).hasSize(1);
				long stopped = System.nanoTime();
				used.stop();
				try {
					await().atMost(Duration.ofSeconds(30))
						.untilAsserted(() -> assertThat(other.instances(null, group, service)).hasSize(1));
					long registered = System.nanoTime();
					await().atMost(Duration.ofSeconds(30))
						.untilAsserted(() -> assertThat(other.subscribers(null, group, service)).hasSize(1));
					long subscribed = System.nanoTime();
					await().atMost(Duration.ofSeconds(30))
						.untilAsserted(() -> assertThat(other.configListeners(null, group, dataId)).isNotEmpty());
					long listening = System.nanoTime();
					other.publishConfig(null, group, dataId, "reliability.value=after-failover", "properties");
					await().atMost(Duration.ofSeconds(30))
						.until(() -> "after-failover".equals(app.getEnvironment().getProperty("reliability.value")));
					long applied = System.nanoTime();
					assertThat(discovery.getInstances(service)).hasSize(1);
					System.out.printf(
							"[figures] failover after the server in use stopped: re-registered %d ms,"
									+ " re-subscribed %d ms, config listener %d ms, a config change on the other server"
									+ " applied %d ms%n",
							millis(stopped, registered), millis(stopped, subscribed), millis(stopped, listening),
							millis(stopped, applied));
				}
				finally {
					used.start();
				}
			}
		}
	}

	private static long millis(long from, long to) {
		return (to - from) / 1_000_000;
	}

}
