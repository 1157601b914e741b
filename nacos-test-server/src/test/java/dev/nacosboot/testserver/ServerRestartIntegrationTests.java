package dev.nacosboot.testserver;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.listener.Listener;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A restarted server, or one that forgot its connections, gets back every registration,
 * subscription and config listener from the clients themselves. Needs the embedded
 * server's control API.
 */
class ServerRestartIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(30);

	private NacosTestServer server;

	private NacosClients clients;

	private String group;

	@BeforeEach
	void setUp(TestInfo test) {
		this.server = nacos.target().server();
		this.clients = new NacosClients(nacos.target());
		this.group = nacos.target().unique(test.getTestMethod().orElseThrow().getName());
	}

	@AfterEach
	void tearDown() throws Exception {
		if (this.clients != null) {
			this.clients.close();
		}
	}

	@Test
	void restartedServerGetsRegistrationsSubscriptionsAndListenersBack() throws Exception {
		State state = connectClients("restart");
		this.server.restart();

		assertRecovered(state);
	}

	@Test
	void serverThatForgotItsConnectionsGetsEverythingBack() throws Exception {
		State state = connectClients("forget");
		this.server.forgetConnections();
		assertThat(this.server.instances(null, this.group, "forget-svc")).isEmpty();

		assertRecovered(state);
	}

	@Test
	void stoppingServerPushesNoRemovalToTheSubscribers() throws Exception {
		NamingService provider = this.clients.naming((String) null);
		provider.registerInstance("kept-svc", this.group, NamingIntegrationTests.instance("10.7.0.1", 80, Map.of()));
		NamingService subscriber = this.clients.naming((String) null);
		List<Integer> pushedSizes = new CopyOnWriteArrayList<>();
		subscriber.subscribe("kept-svc", this.group, (event) -> {
			if (event instanceof NamingEvent naming) {
				pushedSizes.add(naming.getInstances().size());
			}
		});
		await().atMost(RECOVERY_TIMEOUT).until(() -> pushedSizes.contains(1));

		this.server.stop();
		await().atMost(RECOVERY_TIMEOUT).until(() -> !"UP".equals(subscriber.getServerStatus()));

		// A real Nacos that stops takes its clients' instances with it but tells nobody.
		assertThat(pushedSizes).doesNotContain(0);
		assertThat(subscriber.getAllInstances("kept-svc", this.group, true)).hasSize(1);
		this.server.start();
	}

	@Test
	void clientsWaitForAStoppedServerAndRecoverWhenItStartsAgain() throws Exception {
		State state = connectClients("stopped");
		this.server.stop();
		assertThat(this.server.isRunning()).isFalse();
		assertThat(this.server.instances(null, this.group, "stopped-svc")).isEmpty();

		this.server.start();

		assertRecovered(state);
	}

	private State connectClients(String name) throws Exception {
		NamingService provider = this.clients.naming((String) null);
		NamingService consumer = this.clients.naming((String) null);
		ConfigService config = this.clients.config((String) null);
		Instance instance = new Instance();
		instance.setIp("10.7.0.1");
		instance.setPort(8080);
		instance.setMetadata(Map.of("version", "v1"));
		provider.registerInstance(name + "-svc", this.group, instance);
		List<List<Instance>> pushes = new CopyOnWriteArrayList<>();
		consumer.subscribe(name + "-svc", this.group, (event) -> pushes.add(((NamingEvent) event).getInstances()));
		List<String> received = new CopyOnWriteArrayList<>();
		config.addListener(name + ".properties", this.group, new Listener() {

			@Override
			public Executor getExecutor() {
				return null;
			}

			@Override
			public void receiveConfigInfo(String configInfo) {
				received.add(configInfo);
			}

		});
		await().atMost(RECOVERY_TIMEOUT).untilAsserted(() -> {
			assertThat(this.server.instances(null, this.group, name + "-svc")).hasSize(1);
			assertThat(this.server.subscribers(null, this.group, name + "-svc")).hasSize(1);
			assertThat(this.server.configListeners(null, this.group, name + ".properties")).hasSize(1);
			assertThat(pushes).isNotEmpty().last().satisfies((last) -> assertThat(last).hasSize(1));
		});
		return new State(name, pushes, received);
	}

	private void assertRecovered(State state) {
		await().atMost(RECOVERY_TIMEOUT).untilAsserted(() -> {
			assertThat(this.server.instances(null, this.group, state.name() + "-svc")).singleElement()
				.satisfies((instance) -> assertThat(instance.getMetadata()).containsEntry("version", "v1"));
			assertThat(this.server.subscribers(null, this.group, state.name() + "-svc")).hasSize(1);
			assertThat(this.server.configListeners(null, this.group, state.name() + ".properties")).hasSize(1);
		});
		// The recovered subscription and listener receive changes made after the
		// recovery.
		this.server.publishConfig(null, this.group, state.name() + ".properties", "after=recovery", "properties");
		await().atMost(RECOVERY_TIMEOUT).untilAsserted(() -> assertThat(state.received()).contains("after=recovery"));
		assertThat(state.pushes()).last().satisfies((last) -> assertThat(last).hasSize(1));
	}

	private record State(String name, List<List<Instance>> pushes, List<String> received) {
	}

}
