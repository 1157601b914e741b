package dev.nacosboot.testserver;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import com.alibaba.nacos.api.naming.pojo.Instance;
import com.alibaba.nacos.api.naming.pojo.ListView;
import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Service registration and discovery with the real nacos-client, against the embedded
 * test server or, with {@code NACOS_SERVER_ADDR}, a real Nacos.
 */
class NamingIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final Duration PUSH_TIMEOUT = Duration.ofSeconds(10);

	private NacosClients clients;

	private String namespace;

	private String group;

	@BeforeEach
	void setUp(TestInfo test) {
		this.clients = new NacosClients(nacos.target());
		this.namespace = nacos.target().isExternal() ? nacos.target().unique("ns") : "public";
		this.group = nacos.target().unique(test.getTestMethod().orElseThrow().getName());
	}

	@AfterEach
	void tearDown() throws Exception {
		this.clients.close();
	}

	@Test
	void registerIsPushedToSubscriber() throws Exception {
		NamingService provider = this.clients.naming(this.namespace);
		NamingService consumer = this.clients.naming(this.namespace);
		List<List<Instance>> pushes = new CopyOnWriteArrayList<>();
		consumer.subscribe("orders", this.group, (event) -> pushes.add(((NamingEvent) event).getInstances()));

		Instance instance = instance("10.1.0.1", 8080, Map.of("version", "v1"));
		instance.setWeight(3.5);
		instance.setClusterName("zone-a");
		provider.registerInstance("orders", this.group, instance);

		await().atMost(PUSH_TIMEOUT)
			.untilAsserted(() -> assertThat(pushes).isNotEmpty()
				.last()
				.satisfies((instances) -> assertThat(instances)
					.extracting(Instance::getIp, Instance::getPort, Instance::getWeight, Instance::getClusterName,
							Instance::isHealthy, Instance::isEnabled, Instance::isEphemeral)
					.containsExactly(tuple("10.1.0.1", 8080, 3.5, "zone-a", true, true, true))));
		Instance pushed = pushes.get(pushes.size() - 1).get(0);
		assertThat(pushed.getMetadata()).containsEntry("version", "v1");
		assertThat(pushed.getServiceName()).isEqualTo(this.group + "@@orders");
		assertThat(pushed.getInstanceId()).isNotBlank();
		assertThat(consumer.getAllInstances("orders", this.group)).hasSize(1);
	}

	@Test
	void deregisterIsPushedToSubscriber() throws Exception {
		NamingService provider = this.clients.naming(this.namespace);
		NamingService consumer = this.clients.naming(this.namespace);
		provider.registerInstance("payments", this.group, instance("10.1.0.2", 8080, Map.of()));
		await().atMost(PUSH_TIMEOUT)
			.until(() -> consumer.selectInstances("payments", this.group, true, true).size() == 1);
		List<List<Instance>> pushes = new CopyOnWriteArrayList<>();
		consumer.subscribe("payments", this.group, (event) -> pushes.add(((NamingEvent) event).getInstances()));

		provider.deregisterInstance("payments", this.group, "10.1.0.2", 8080);

		await().atMost(PUSH_TIMEOUT)
			.untilAsserted(
					() -> assertThat(pushes).isNotEmpty().last().satisfies((last) -> assertThat(last).isEmpty()));
	}

	@Test
	void closedConnectionRemovesItsEphemeralInstancesAndPushes() throws Exception {
		NamingService provider = this.clients.naming(this.namespace);
		NamingService consumer = this.clients.naming(this.namespace);
		provider.registerInstance("inventory", this.group, instance("10.1.0.3", 9000, Map.of()));
		List<List<Instance>> pushes = new CopyOnWriteArrayList<>();
		consumer.subscribe("inventory", this.group, (event) -> pushes.add(((NamingEvent) event).getInstances()));
		await().atMost(PUSH_TIMEOUT)
			.untilAsserted(
					() -> assertThat(pushes).isNotEmpty().last().satisfies((last) -> assertThat(last).hasSize(1)));

		provider.shutDown();

		await().atMost(PUSH_TIMEOUT)
			.untilAsserted(() -> assertThat(pushes).last().satisfies((last) -> assertThat(last).isEmpty()));
	}

	@Test
	void batchRegisterPublishesAllInstancesOfOneConnection() throws Exception {
		NamingService provider = this.clients.naming(this.namespace);
		NamingService consumer = this.clients.naming(this.namespace);
		provider.batchRegisterInstance("catalog", this.group,
				List.of(instance("10.1.0.4", 8001, Map.of()), instance("10.1.0.5", 8002, Map.of())));

		await().atMost(PUSH_TIMEOUT)
			.untilAsserted(
					() -> assertThat(consumer.getAllInstances("catalog", this.group, false)).extracting(Instance::getIp)
						.containsExactlyInAnyOrder("10.1.0.4", "10.1.0.5"));
	}

	@Test
	void disabledInstancesAreNotServed() throws Exception {
		NamingService provider = this.clients.naming(this.namespace);
		NamingService other = this.clients.naming(this.namespace);
		NamingService consumer = this.clients.naming(this.namespace);
		Instance disabled = instance("10.1.0.6", 8080, Map.of());
		disabled.setEnabled(false);
		provider.registerInstance("shipping", this.group, disabled);
		other.registerInstance("shipping", this.group, instance("10.1.0.7", 8080, Map.of()));

		await().atMost(PUSH_TIMEOUT)
			.untilAsserted(() -> assertThat(consumer.getAllInstances("shipping", this.group, false))
				.extracting(Instance::getIp)
				.containsExactly("10.1.0.7"));
	}

	@Test
	void unhealthyInstancesAreServedUnlessHealthyOnly() throws Exception {
		NamingService provider = this.clients.naming(this.namespace);
		NamingService other = this.clients.naming(this.namespace);
		NamingService consumer = this.clients.naming(this.namespace);
		Instance unhealthy = instance("10.1.0.8", 8080, Map.of());
		unhealthy.setHealthy(false);
		provider.registerInstance("billing", this.group, unhealthy);
		other.registerInstance("billing", this.group, instance("10.1.0.9", 8080, Map.of()));

		await().atMost(PUSH_TIMEOUT)
			.untilAsserted(() -> assertThat(consumer.getAllInstances("billing", this.group, false)).hasSize(2));
		assertThat(consumer.selectInstances("billing", this.group, true, false)).extracting(Instance::getIp)
			.containsExactly("10.1.0.9");
	}

	@Test
	void namespacesAndGroupsAreIsolated() throws Exception {
		String otherNamespace = nacos.target().unique("ns-other");
		NamingService provider = this.clients.naming(this.namespace);
		NamingService otherNamespaceProvider = this.clients.naming(otherNamespace);
		NamingService consumer = this.clients.naming(this.namespace);
		NamingService otherNamespaceConsumer = this.clients.naming(otherNamespace);
		String otherGroup = nacos.target().unique("group-other");

		provider.registerInstance("search", this.group, instance("10.2.0.1", 80, Map.of()));
		otherNamespaceProvider.registerInstance("search", this.group, instance("10.2.0.2", 80, Map.of()));
		this.clients.naming(this.namespace).registerInstance("search", otherGroup, instance("10.2.0.3", 80, Map.of()));

		await().atMost(PUSH_TIMEOUT).untilAsserted(() -> {
			assertThat(consumer.getAllInstances("search", this.group, false)).extracting(Instance::getIp)
				.containsExactly("10.2.0.1");
			assertThat(otherNamespaceConsumer.getAllInstances("search", this.group, false)).extracting(Instance::getIp)
				.containsExactly("10.2.0.2");
			assertThat(consumer.getAllInstances("search", otherGroup, false)).extracting(Instance::getIp)
				.containsExactly("10.2.0.3");
		});
	}

	@Test
	void serviceListIsPaged() throws Exception {
		NamingService provider = this.clients.naming(this.namespace);
		for (String service : List.of("svc-a", "svc-b", "svc-c")) {
			this.clients.naming(this.namespace)
				.registerInstance(service, this.group, instance("10.3.0.1", 80, Map.of()));
		}
		await().atMost(PUSH_TIMEOUT)
			.untilAsserted(() -> assertThat(provider.getServicesOfServer(1, 10, this.group).getCount()).isEqualTo(3));

		ListView<String> firstPage = provider.getServicesOfServer(1, 2, this.group);
		ListView<String> secondPage = provider.getServicesOfServer(2, 2, this.group);

		assertThat(firstPage.getCount()).isEqualTo(3);
		assertThat(firstPage.getData()).hasSize(2);
		assertThat(secondPage.getData()).hasSize(1);
		assertThat(List.of(firstPage.getData(), secondPage.getData()).stream().flatMap(List::stream))
			.containsExactlyInAnyOrder("svc-a", "svc-b", "svc-c");
	}

	@Test
	void serverHoldsRegisteredInstancesForInspection(NacosTarget target) throws Exception {
		NacosTestServer server = target.server();
		NamingService provider = this.clients.naming(this.namespace);
		provider.registerInstance("inspected", this.group, instance("10.4.0.1", 8080, Map.of("k", "v")));
		NamingService consumer = this.clients.naming(this.namespace);
		consumer.subscribe("inspected", this.group, (event) -> {
		});

		await().atMost(PUSH_TIMEOUT).untilAsserted(() -> {
			assertThat(server.instances(this.namespace, this.group, "inspected")).singleElement()
				.satisfies((instance) -> assertThat(instance.getMetadata()).containsEntry("k", "v"));
			assertThat(server.subscribers(this.namespace, this.group, "inspected")).hasSize(1);
		});
		assertThat(server.connections()).extracting(NacosTestServer.ClientConnection::module).contains("naming");
	}

	@Test
	void metadataAboveTheRealServersLimitIsRefusedAsTheRealServerRefusesIt() throws Exception {
		NamingService provider = this.clients.naming(this.namespace);
		// 1024 characters counted as the real server counts them: keys and values that
		// are not blank.
		Map<String, String> atLimit = new java.util.LinkedHashMap<>();
		atLimit.put("big", "x".repeat(1024 - "big".length() - "blank".length()));
		atLimit.put("blank", "   ");
		provider.registerInstance("sized", this.group, instance("10.1.0.7", 8080, atLimit));
		await().atMost(PUSH_TIMEOUT).until(() -> provider.getAllInstances("sized", this.group).size() == 1);

		Map<String, String> aboveLimit = new java.util.LinkedHashMap<>(atLimit);
		aboveLimit.put("e", "\u00e9");
		assertThatExceptionOfType(NacosException.class)
			.isThrownBy(() -> provider.registerInstance("sized", this.group, instance("10.1.0.8", 8080, aboveLimit)))
			.satisfies((ex) -> {
				assertThat(ex.getErrCode()).isEqualTo(NacosException.INVALID_PARAM);
				assertThat(ex.getErrMsg()).isEqualTo(
						"Param check invalid:Param 'Metadata' is illegal, the param length should not exceed 1024.");
			});
		assertThat(provider.getAllInstances("sized", this.group)).extracting(Instance::getIp)
			.containsExactly("10.1.0.7");
	}

	static Instance instance(String ip, int port, Map<String, String> metadata) {
		Instance instance = new Instance();
		instance.setIp(ip);
		instance.setPort(port);
		instance.setMetadata(new java.util.HashMap<>(metadata));
		return instance;
	}

}
