package dev.nacosboot.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Against a server that cannot push the service list (naming fuzzy watch off, as on Nacos
 * 2.x), the list is polled at {@code watch-delay} and the application says so once. Needs
 * the embedded server's switch: skipped against an external server.
 */
@ExtendWith(OutputCaptureExtension.class)
class NacosServiceListPollingIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension(
			(server) -> server.namingFuzzyWatch(false));

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private static final List<HeartbeatEvent> heartbeats = new CopyOnWriteArrayList<>();

	private static NamingService provider;

	private static ConfigurableApplicationContext consumer;

	private static String group;

	@BeforeAll
	static void start() throws Exception {
		nacos.target().server();
		group = nacos.target().unique("polled");
		provider = NacosFactory.createNamingService(nacos.target().clientProperties());
		provider.registerInstance("before-start", group, instance(9801));
		consumer = TestApps.consumer(nacos.target(), group, "spring.cloud.nacos.discovery.watch-delay=200");
		consumer.addApplicationListener((ApplicationListener<HeartbeatEvent>) heartbeats::add);
	}

	@AfterAll
	static void stop() throws Exception {
		if (consumer != null) {
			consumer.close();
		}
		if (provider != null) {
			provider.shutDown();
		}
	}

	private static Instance instance(int port) {
		Instance instance = new Instance();
		instance.setIp("127.0.0.1");
		instance.setPort(port);
		instance.setMetadata(Map.of());
		return instance;
	}

	@Test
	void listIsPolledAndNewServicesAppearWithinTheInterval(CapturedOutput output) throws Exception {
		DiscoveryClient discovery = consumer.getBean(DiscoveryClient.class);
		NacosDiscoveryChanges changes = consumer.getBean(NacosDiscoveryChanges.class);
		// The naming client is created once the context has started: the first list
		// follows, as one change.
		await().atMost(TIMEOUT).until(() -> changes.count() == 1);
		assertThat(discovery.getServices()).containsExactly("before-start");
		assertThat(consumer.getBean(NacosServiceListView.class).getSource())
			.isEqualTo(NacosServiceListView.Source.POLLING);

		provider.registerInstance("after-start", group, instance(9802));

		await().atMost(TIMEOUT).until(() -> discovery.getServices().contains("after-start"));
		await().atMost(TIMEOUT).until(() -> changes.count() == 2);
		NacosTestServer server = nacos.target().server();
		long listed = server.requestCount("ServiceListRequest");
		await().atMost(TIMEOUT).until(() -> server.requestCount("ServiceListRequest") >= listed + 3);
		assertThat(changes.count()).isEqualTo(2);
		await().atMost(TIMEOUT).until(() -> heartbeats.stream().anyMatch((event) -> event.getValue().equals(2L)));
		assertThat(server.requestCount("NamingFuzzyWatchRequest")).isZero();
		assertThat(output.getOut().split("Nacos does not push the service list", -1)).hasSize(2);
	}

}
