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
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A consumer application's service list follows services that appear and disappear in its
 * discovery groups, pushed by the server, with one {@code HeartbeatEvent} per change.
 */
class NacosServiceListIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	/** Longest wait for a change to reach the consumer; a real server pushes later. */
	private static final Duration PUSH = Duration.ofSeconds(20);

	private static final List<HeartbeatEvent> heartbeats = new CopyOnWriteArrayList<>();

	private static final List<NamingService> providers = new CopyOnWriteArrayList<>();

	private static ConfigurableApplicationContext consumer;

	private static String group;

	private static String secondGroup;

	@BeforeAll
	static void start() {
		group = nacos.target().unique("list");
		secondGroup = nacos.target().unique("list-second");
		consumer = TestApps.consumer(nacos.target(), group, "spring.cloud.nacos.discovery.groups[0]=" + group,
				"spring.cloud.nacos.discovery.groups[1]=" + secondGroup);
		consumer.addApplicationListener((ApplicationListener<HeartbeatEvent>) heartbeats::add);
		await().atMost(PUSH).until(() -> consumer.getBean(NacosServiceListView.class).isReady());
	}

	@AfterAll
	static void stop() throws Exception {
		consumer.close();
		for (NamingService provider : providers) {
			provider.shutDown();
		}
	}

	private static DiscoveryClient discovery() {
		return consumer.getBean(DiscoveryClient.class);
	}

	/**
	 * A provider of its own (one client holds one instance per service), as a separate
	 * application would be.
	 */
	private static NamingService register(String service, String group, int port) throws Exception {
		NamingService provider = provider();
		register(provider, service, group, port);
		return provider;
	}

	private static NamingService provider() throws Exception {
		NamingService provider = NacosFactory.createNamingService(nacos.target().clientProperties());
		providers.add(provider);
		return provider;
	}

	private static void register(NamingService provider, String service, String group, int port) throws Exception {
		Instance instance = new Instance();
		instance.setIp("127.0.0.1");
		instance.setPort(port);
		instance.setMetadata(Map.of());
		provider.registerInstance(service, group, instance);
	}

	@Test
	void serviceRegisteredAfterStartupIsListedWithOneHeartbeat() throws Exception {
		String service = nacos.target().unique("new");
		int before = heartbeats.size();
		NamingService provider = provider();
		long start = System.nanoTime();

		register(provider, service, secondGroup, 9701);

		await().atMost(PUSH)
			.pollInterval(Duration.ofMillis(2))
			.until(() -> discovery().getServices().contains(service));
		System.out.printf("[figures] service list: new service listed %d ms after its registration (%s)%n",
				(System.nanoTime() - start) / 1_000_000, nacos.target());
		await().atMost(PUSH).until(() -> heartbeats.size() == before + 1);
		ReactiveDiscoveryClient reactive = consumer.getBean(ReactiveDiscoveryClient.class);
		assertThat(reactive.getServices().collectList().block()).contains(service);
	}

	@Test
	void anotherInstanceOfAListedServiceChangesNothing() throws Exception {
		String service = nacos.target().unique("more");
		String next = nacos.target().unique("next");
		int start = heartbeats.size();
		register(service, group, 9711);
		await().atMost(PUSH).until(() -> discovery().getServices().contains(service));
		await().atMost(PUSH).until(() -> heartbeats.size() == start + 1);
		int before = heartbeats.size();

		register(service, group, 9712);
		// Pushed after the second instance: once it is listed, an event for the second
		// instance would have come.
		register(next, group, 9713);

		await().atMost(PUSH).until(() -> discovery().getServices().contains(next));
		await().atMost(PUSH).until(() -> heartbeats.size() >= before + 1);
		assertThat(heartbeats).hasSize(before + 1);
	}

	@Test
	void serviceWhoseLastInstanceLeavesIsNoLongerListed() throws Exception {
		String service = nacos.target().unique("leaving");
		NamingService first = register(service, group, 9721);
		NamingService second = register(service, group, 9722);
		await().atMost(PUSH).until(() -> discovery().getServices().contains(service));

		first.deregisterInstance(service, group, "127.0.0.1", 9721);
		long start = System.nanoTime();
		second.deregisterInstance(service, group, "127.0.0.1", 9722);

		await().atMost(PUSH)
			.pollInterval(Duration.ofMillis(2))
			.until(() -> !discovery().getServices().contains(service));
		System.out.printf("[figures] service list: service dropped %d ms after its last instance left (%s)%n",
				(System.nanoTime() - start) / 1_000_000, nacos.target());
	}

	@Test
	void servicesOfOtherGroupsAreNotListed() throws Exception {
		String elsewhere = nacos.target().unique("elsewhere");
		String here = nacos.target().unique("here");
		register(elsewhere, nacos.target().unique("other-group"), 9731);
		register(here, group, 9732);

		await().atMost(PUSH).until(() -> discovery().getServices().contains(here));
		assertThat(discovery().getServices()).doesNotContain(elsewhere);
	}

	@Test
	void listingSendsNoRequestToTheServer() throws Exception {
		NacosTestServer server = nacos.target().server();
		String service = nacos.target().unique("memory");
		register(service, group, 9741);
		await().atMost(PUSH).until(() -> discovery().getServices().contains(service));
		ReactiveDiscoveryClient reactive = consumer.getBean(ReactiveDiscoveryClient.class);
		for (int i = 0; i < 200; i++) {
			assertThat(discovery().getServices()).contains(service);
			assertThat(reactive.getServices().collectList().block()).contains(service);
		}
		assertThat(server.requestCount("ServiceListRequest")).isZero();
		assertThat(consumer.getBean(NacosServiceListView.class).getSource())
			.isEqualTo(NacosServiceListView.Source.FUZZY_WATCH);
	}

	@Test
	void withWatchDisabledTheListFollowsWithoutHeartbeats() throws Exception {
		String quietGroup = nacos.target().unique("quiet");
		List<HeartbeatEvent> quietBeats = new CopyOnWriteArrayList<>();
		try (ConfigurableApplicationContext quiet = TestApps.consumer(nacos.target(), quietGroup,
				"spring.cloud.nacos.discovery.watch.enabled=false")) {
			quiet.addApplicationListener((ApplicationListener<HeartbeatEvent>) quietBeats::add);
			String service = nacos.target().unique("quiet-service");
			DiscoveryClient quietDiscovery = quiet.getBean(DiscoveryClient.class);
			assertThat(quietDiscovery.getInstances(service)).isEmpty();

			register(service, quietGroup, 9751);

			await().atMost(PUSH).until(() -> quietDiscovery.getServices().contains(service));
			await().atMost(PUSH).until(() -> quietDiscovery.getInstances(service).size() == 1);
			NacosDiscoveryChanges changes = quiet.getBean(NacosDiscoveryChanges.class);
			assertThat(changes.count()).isGreaterThanOrEqualTo(2);
			assertThat(quietBeats).isEmpty();
		}
	}

}
