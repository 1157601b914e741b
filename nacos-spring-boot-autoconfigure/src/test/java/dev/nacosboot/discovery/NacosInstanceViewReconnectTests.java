package dev.nacosboot.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A restarted server answers a consumer's re-subscription before the providers have
 * registered again: that empty answer must not empty the view during the grace after the
 * reconnect.
 */
class NacosInstanceViewReconnectTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private NamingService provider;

	private NamingService consumer;

	private NacosInstanceView view;

	private NamingConnectionState connection;

	private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

	@AfterEach
	void close() throws Exception {
		if (this.view != null) {
			this.view.destroy();
		}
		if (this.connection != null) {
			this.connection.stop();
		}
		this.scheduler.shutdown();
		for (NamingService client : new NamingService[] { this.provider, this.consumer }) {
			if (client != null) {
				client.shutDown();
			}
		}
	}

	@Test
	void emptyAnswerRightAfterAReconnectKeepsTheLastKnownInstances(TestInfo test) throws Exception {
		String group = startWithOneInstance(test, Duration.ofMinutes(5));

		restartWithoutTheProvider(group);

		assertThat(this.view.getInstances(group + "@@orders")).hasSize(1);
	}

	@Test
	void withoutGraceTheEmptyAnswerEmptiesTheView(TestInfo test) throws Exception {
		String group = startWithOneInstance(test, Duration.ZERO);

		restartWithoutTheProvider(group);

		await().atMost(TIMEOUT).until(() -> this.view.getInstances(group + "@@orders").isEmpty());
	}

	@Test
	void deregistrationWhileConnectedEmptiesTheViewAtOnce(TestInfo test) throws Exception {
		String group = startWithOneInstance(test, Duration.ofMinutes(5));

		this.provider.deregisterInstance("orders", group, "10.11.0.1", 8080);

		await().atMost(TIMEOUT).until(() -> this.view.getInstances(group + "@@orders").isEmpty());
	}

	@Test
	void connectionStateIsReadFromTheClientWithoutAskingTheServer() throws Exception {
		NacosTestServer server = nacos.target().server();
		this.consumer = NacosFactory.createNamingService(nacos.target().clientProperties());
		assertThat(NamingConnectionState.readsClientState(this.consumer)).isTrue();
		BooleanSupplier connected = NamingConnectionState.of(this.consumer);
		await().atMost(TIMEOUT).until(connected::getAsBoolean);

		server.stop();
		await().atMost(TIMEOUT).until(() -> !connected.getAsBoolean());
		server.start();
		await().atMost(TIMEOUT).until(connected::getAsBoolean);
	}

	private String startWithOneInstance(TestInfo test, Duration grace) throws Exception {
		String group = nacos.target().unique(test.getTestMethod().orElseThrow().getName());
		this.provider = NacosFactory.createNamingService(nacos.target().clientProperties());
		this.consumer = NacosFactory.createNamingService(nacos.target().clientProperties());
		Instance instance = new Instance();
		instance.setIp("10.11.0.1");
		instance.setPort(8080);
		instance.setMetadata(Map.of());
		this.provider.registerInstance("orders", group, instance);
		this.scheduler.initialize();
		this.connection = new NamingConnectionState(this.consumer, this.scheduler);
		this.connection.start();
		this.view = new NacosInstanceView(this.consumer, List.of(group), true, new NacosDiscoveryChanges((event) -> {
		}, true), grace, this.connection, this.scheduler);
		await().atMost(TIMEOUT).until(() -> this.view.getInstances("orders").size() == 1);
		return group;
	}

	/**
	 * Restarts the server with the provider gone, and waits until the consumer has the
	 * server's empty answer.
	 */
	private void restartWithoutTheProvider(String group) throws Exception {
		NacosTestServer server = nacos.target().server();
		server.stop();
		await().atMost(TIMEOUT).until(() -> !this.view.isServerUp());
		this.provider.shutDown();
		this.provider = null;
		server.start();
		await().atMost(TIMEOUT)
			.until(() -> server.subscribers(null, group, "orders").size() == 1
					&& this.consumer.getAllInstances("orders", group, true).isEmpty());
	}

}
