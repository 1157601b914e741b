package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.discovery.NacosDiscoveryAutoConfiguration;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.reactive.ReactiveLoadBalancer;
import org.springframework.cloud.loadbalancer.config.LoadBalancerAutoConfiguration;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The balancer follows the Nacos push: provider instances are registered by real naming
 * clients (one per instance, so that dropping a client drops its instance), the consumer
 * is the auto-configured balancer.
 */
class NacosGrayLoadBalancerPushIntegrationTests {

	private static final String SERVICE = "gray-push";

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private final String group = nacos.target().unique("lb-push") + "-" + System.nanoTime();

	private final List<NamingService> providers = new ArrayList<>();

	private final ApplicationContextRunner consumer = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(NacosCoreAutoConfiguration.class, NacosDiscoveryAutoConfiguration.class,
						NacosLoadBalancerAutoConfiguration.class, LoadBalancerAutoConfiguration.class))
		.withPropertyValues(nacos.target().springPropertyValues())
		.withPropertyValues("spring.cloud.nacos.discovery.group=" + this.group, "logging.level.com.alibaba.nacos=warn");

	@AfterEach
	void stopProviders() throws Exception {
		for (NamingService provider : this.providers) {
			provider.shutDown();
		}
	}

	@Test
	void newInstanceShouldReceiveCallsRightAfterThePush() {
		this.consumer.run((context) -> {
			register(20001, "v1");
			ReactiveLoadBalancer<ServiceInstance> balancer = balancer(context);
			await().atMost(Duration.ofSeconds(15)).until(() -> port(Requests.choose(balancer)) == 20001);

			long start = System.nanoTime();
			register(20002, "v1");
			await().atMost(Duration.ofSeconds(15))
				.pollInterval(Duration.ofMillis(5))
				.until(() -> port(Requests.choose(balancer)) == 20002);
			System.out.printf("new instance chosen %d ms after its provider client started and registered it (%s)%n",
					(System.nanoTime() - start) / 1_000_000, nacos.target());
		});
	}

	@Test
	void supplierStreamShouldEmitTheInstancesAgainAfterEachPush() {
		this.consumer.withPropertyValues("spring.cloud.loadbalancer.configurations=zone-preference").run((context) -> {
			register(20021, "v1");
			ServiceInstanceListSupplier supplier = context.getBean(LoadBalancerClientFactory.class)
				.getInstance(SERVICE, ServiceInstanceListSupplier.class);
			List<List<Integer>> lists = new java.util.concurrent.CopyOnWriteArrayList<>();
			reactor.core.Disposable following = supplier.get()
				.subscribe(
						(instances) -> lists.add(instances.stream().map(ServiceInstance::getPort).sorted().toList()));
			try {
				await().atMost(Duration.ofSeconds(15))
					.until(() -> !lists.isEmpty() && lists.get(lists.size() - 1).equals(List.of(20021)));
				register(20022, "v1");
				// As Spring Cloud's health-check supplier follows it: no refetch needed.
				await().atMost(Duration.ofSeconds(15))
					.until(() -> lists.get(lists.size() - 1).equals(List.of(20021, 20022)));
			}
			finally {
				following.dispose();
			}
		});
	}

	@Test
	void deregisteredInstanceShouldStopReceivingCallsRightAfterThePush() {
		this.consumer.run((context) -> {
			register(20011, "v1");
			NamingService leaving = register(20012, "v1");
			ReactiveLoadBalancer<ServiceInstance> balancer = balancer(context);
			await().atMost(Duration.ofSeconds(15)).until(() -> port(Requests.choose(balancer)) == 20012);

			long start = System.nanoTime();
			leaving.deregisterInstance(SERVICE, this.group, "127.0.0.1", 20012);
			await().atMost(Duration.ofSeconds(15))
				.pollInterval(Duration.ofMillis(5))
				.until(() -> neverChosen(balancer, 20012, 200));
			System.out.printf("deregistered instance out of the choice %d ms after deregistration (%s)%n",
					(System.nanoTime() - start) / 1_000_000, nacos.target());
			assertThat(neverChosen(balancer, 20012, 2000)).isTrue();
		});
	}

	@Test
	void instanceOfADroppedConnectionShouldStopReceivingCalls() {
		this.consumer.run((context) -> {
			register(20021, "v1");
			NamingService dropped = register(20022, "v1");
			ReactiveLoadBalancer<ServiceInstance> balancer = balancer(context);
			await().atMost(Duration.ofSeconds(15)).until(() -> port(Requests.choose(balancer)) == 20022);

			long start = System.nanoTime();
			dropped.shutDown();
			this.providers.remove(dropped);
			await().atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(5))
				.until(() -> neverChosen(balancer, 20022, 200));
			System.out.printf("instance of a closed connection out of the choice %d ms after the close (%s)%n",
					(System.nanoTime() - start) / 1_000_000, nacos.target());
		});
	}

	@Test
	void versionHeaderShouldReachThePushedGrayInstanceAndUntaggedTrafficShouldNot() {
		this.consumer.run((context) -> {
			register(20031, "v1");
			ReactiveLoadBalancer<ServiceInstance> balancer = balancer(context);
			await().atMost(Duration.ofSeconds(15)).until(() -> port(Requests.choose(balancer)) == 20031);
			register(20032, "v2", "gray", "true");
			await().atMost(Duration.ofSeconds(15))
				.until(() -> port(Requests.choose(balancer, "X-Gray-Version", "v2")) == 20032);
			for (int i = 0; i < 1000; i++) {
				assertThat(port(Requests.choose(balancer))).isEqualTo(20031);
				assertThat(port(Requests.choose(balancer, "X-Gray-Version", "v2"))).isEqualTo(20032);
			}
		});
	}

	@Test
	void weightsAndEnabledFlagFromNacosShouldApply() {
		this.consumer.run((context) -> {
			register(20041, 1, true, "v1");
			register(20042, 3, true, "v1");
			register(20043, 5, false, "v1");
			ReactiveLoadBalancer<ServiceInstance> balancer = balancer(context);
			await().atMost(Duration.ofSeconds(15)).until(() -> port(Requests.choose(balancer)) == 20041);
			await().atMost(Duration.ofSeconds(15)).until(() -> port(Requests.choose(balancer)) == 20042);
			Draws draws = new Draws();
			for (int i = 0; i < 20_000; i++) {
				draws.add(String.valueOf(port(Requests.choose(balancer))));
			}
			draws.assertShare("20042", 0.75, "Nacos weight 3 of 4");
			assertThat(draws.count("20043")).as("disabled instance").isZero();
		});
	}

	private ReactiveLoadBalancer<ServiceInstance> balancer(
			org.springframework.boot.test.context.assertj.AssertableApplicationContext context) {
		ReactiveLoadBalancer<ServiceInstance> balancer = context.getBean(LoadBalancerClientFactory.class)
			.getInstance(SERVICE);
		assertThat(balancer).isInstanceOf(NacosGrayLoadBalancer.class);
		return balancer;
	}

	private NamingService register(int port, String version, String... metadata) throws Exception {
		return register(port, 1, true, version, metadata);
	}

	private NamingService register(int port, double weight, boolean enabled, String version, String... metadata)
			throws Exception {
		NamingService naming = NacosFactory.createNamingService(nacos.target().clientProperties());
		this.providers.add(naming);
		Instance instance = new Instance();
		instance.setIp("127.0.0.1");
		instance.setPort(port);
		instance.setWeight(weight);
		instance.setEnabled(enabled);
		Map<String, String> values = new java.util.HashMap<>(Map.of("version", version));
		for (int i = 0; i < metadata.length; i += 2) {
			values.put(metadata[i], metadata[i + 1]);
		}
		instance.setMetadata(values);
		naming.registerInstance(SERVICE, this.group, instance);
		return naming;
	}

	private static int port(ServiceInstance instance) {
		return (instance != null) ? instance.getPort() : -1;
	}

	private static boolean neverChosen(ReactiveLoadBalancer<ServiceInstance> balancer, int port, int draws) {
		for (int i = 0; i < draws; i++) {
			if (port(Requests.choose(balancer)) == port) {
				return false;
			}
		}
		return true;
	}

}
