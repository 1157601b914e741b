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

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A consumer application's discovery against instances registered by a plain client.
 */
class NacosDiscoveryIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	static final List<HeartbeatEvent> heartbeats = new CopyOnWriteArrayList<>();

	static NamingService provider;

	static ConfigurableApplicationContext consumer;

	static String group;

	static String canary;

	@BeforeAll
	static void start() throws Exception {
		group = nacos.target().unique("disc");
		canary = nacos.target().unique("canary");
		provider = NacosFactory.createNamingService(nacos.target().clientProperties());
		consumer = TestApps.consumer(nacos.target(), group, "spring.cloud.nacos.discovery.groups[0]=" + group,
				"spring.cloud.nacos.discovery.groups[1]=" + canary);
		consumer.addApplicationListener(new ApplicationListener<HeartbeatEvent>() {

			@Override
			public void onApplicationEvent(HeartbeatEvent event) {
				heartbeats.add(event);
			}

		});
	}

	@AfterAll
	static void stop() throws Exception {
		consumer.close();
		provider.shutDown();
	}

	private static DiscoveryClient discovery() {
		return consumer.getBean(DiscoveryClient.class);
	}

	private static Instance instance(int port, double weight, Map<String, String> metadata) {
		Instance instance = new Instance();
		instance.setIp("127.0.0.1");
		instance.setPort(port);
		instance.setWeight(weight);
		instance.setMetadata(metadata);
		return instance;
	}

	@Test
	void getInstancesExposesNacosFieldsOfTheInstance() throws Exception {
		String service = nacos.target().unique("fields");
		provider.registerInstance(service, group, instance(9001, 2.0, Map.of("secure", "true", "zone", "a")));
		await().atMost(Duration.ofSeconds(20)).until(() -> discovery().getInstances(service).size() == 1);
		ServiceInstance instance = discovery().getInstances(service).get(0);
		assertThat(instance).isInstanceOf(NacosServiceInstance.class);
		assertThat(instance.getServiceId()).isEqualTo(service);
		assertThat(instance.getHost()).isEqualTo("127.0.0.1");
		assertThat(instance.isSecure()).isTrue();
		assertThat(instance.getUri().toString()).isEqualTo("https://127.0.0.1:9001");
		assertThat(instance.getMetadata()).containsEntry("zone", "a")
			.containsEntry("nacos.weight", "2.0")
			.containsEntry("nacos.cluster", "DEFAULT")
			.containsEntry("nacos.group", group)
			.containsEntry("nacos.healthy", "true")
			.containsKey("nacos.instanceId");
		assertThat(instance.getInstanceId()).isNotBlank();
	}

	@Test
	void getInstancesMergesEveryDiscoveryGroupAndAcceptsAnExplicitGroup() throws Exception {
		String service = nacos.target().unique("groups");
		provider.registerInstance(service, group, instance(9101, 1, Map.of()));
		provider.registerInstance(service, canary, instance(9102, 1, Map.of()));
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(discovery().getInstances(service)).extracting(ServiceInstance::getPort)
				.containsExactly(9101, 9102));
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(discovery().getInstances(canary + "@@" + service))
				.extracting(ServiceInstance::getPort)
				.containsExactly(9102));
	}

	@Test
	void getInstancesLeavesOutInstancesWithZeroWeight() throws Exception {
		String service = nacos.target().unique("weights");
		// One client holds one instance per service unless it registers them as a batch.
		provider.batchRegisterInstance(service, group,
				List.of(instance(9201, 0, Map.of()), instance(9202, 1, Map.of())));
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(discovery().getInstances(service)).extracting(ServiceInstance::getPort)
				.containsExactly(9202));
	}

	@Test
	void reactiveClientAnswersFromTheSameView() throws Exception {
		String service = nacos.target().unique("reactive");
		provider.registerInstance(service, group, instance(9301, 1, Map.of()));
		ReactiveDiscoveryClient reactive = consumer.getBean(ReactiveDiscoveryClient.class);
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(reactive.getInstances(service).collectList().block())
				.extracting(ServiceInstance::getPort)
				.containsExactly(9301));
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(reactive.getServices().collectList().block()).contains(service));
		// Known services are answered from memory on the caller's thread.
		assertThat(reactive.getInstances(service).map((instance) -> Thread.currentThread()).blockFirst())
			.isSameAs(Thread.currentThread());
	}

	@Test
	void getServicesListsTheServicesOfTheDiscoveryGroups() throws Exception {
		String service = nacos.target().unique("listed");
		provider.registerInstance(service, canary, instance(9401, 1, Map.of()));
		await().atMost(Duration.ofSeconds(20)).until(() -> discovery().getServices().contains(service));
	}

	@Test
	void heartbeatEventIsPublishedOncePerRealChangeWithAChangedValue() throws Exception {
		String service = nacos.target().unique("beats");
		assertThat(discovery().getInstances(service)).isEmpty();
		int before = heartbeats.size();
		provider.registerInstance(service, group, instance(9501, 1, Map.of()));
		await().atMost(Duration.ofSeconds(20)).until(() -> discovery().getInstances(service).size() == 1);
		// One event for the new instance, one for the new service in the service list.
		await().atMost(Duration.ofSeconds(20)).until(() -> heartbeats.size() >= before + 2);
		Object first = heartbeats.get(heartbeats.size() - 1).getValue();
		int afterAdd = heartbeats.size();
		// Registering the same instance again changes nothing; replacing it does. Pushes
		// arrive in order, so
		// once the replacement is seen, an event for the no-op would already have been
		// published.
		provider.registerInstance(service, group, instance(9501, 1, Map.of()));
		provider.registerInstance(service, group, instance(9502, 1, Map.of()));
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(discovery().getInstances(service)).extracting(ServiceInstance::getPort)
				.containsExactly(9502));
		assertThat(heartbeats).hasSize(afterAdd + 1);
		assertThat(heartbeats.get(heartbeats.size() - 1).getValue()).isNotEqualTo(first);
	}

	@Test
	void getInstancesAfterTheFirstCallSendsNoRequestToTheServer() throws Exception {
		NacosTestServer server = nacos.target().server();
		String service = nacos.target().unique("local");
		provider.registerInstance(service, group, instance(9601, 1, Map.of()));
		await().atMost(Duration.ofSeconds(20)).until(() -> discovery().getInstances(service).size() == 1);
		long queries = server.requestCount("ServiceQueryRequest") + server.requestCount("SubscribeServiceRequest");
		for (int i = 0; i < 1000; i++) {
			assertThat(discovery().getInstances(service)).hasSize(1);
		}
		assertThat(server.requestCount("ServiceQueryRequest") + server.requestCount("SubscribeServiceRequest"))
			.isEqualTo(queries);
	}

}
