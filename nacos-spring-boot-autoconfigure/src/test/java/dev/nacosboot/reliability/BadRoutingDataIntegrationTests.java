package dev.nacosboot.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.config.NacosConfigRefreshHistory;
import dev.nacosboot.loadbalancer.GrayRules;
import dev.nacosboot.loadbalancer.GrayRulesSource;
import dev.nacosboot.testserver.junit.NacosTarget;
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
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the server pushes may be wrong: gray rules with invalid shares or versions no
 * instance has, instances that other clients registered with port 0, an address that is
 * none, large or non-ASCII metadata. A consumer calling through the load balancer all
 * along sees none of it as a failed request; each bad piece is refused or ignored with a
 * log line.
 */
@ExtendWith(OutputCaptureExtension.class)
class BadRoutingDataIntegrationTests {

	private static final String RULES = "spring.cloud.nacos.loadbalancer.services.%s.";

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	@Test
	void badRulesAndBadInstancesFromTheServerAreRefusedOrIgnoredWithoutAFailedCall(CapturedOutput output)
			throws Exception {
		NacosTarget target = nacos.target();
		String group = target.unique("badrouting");
		String service = target.unique("routed");
		String dataId = target.unique("routing") + ".properties";
		String rules = RULES.formatted(service);
		// A real Nacos, like the embedded server, refuses metadata above 1024 characters
		// in all (and the starter
		// refuses to start with it): the largest value that fits with what the starter
		// adds.
		int noteLength = 800;
		ConfigService config = NacosFactory.createConfigService(target.clientProperties());
		List<NamingService> others = new ArrayList<>();
		try (ConfigurableApplicationContext v1 = TestApps.provider(target, group, service,
				"spring.cloud.nacos.discovery.metadata.version=v1");
				ConfigurableApplicationContext v2 = TestApps.provider(target, group, service,
						"spring.cloud.nacos.discovery.metadata.version=v2",
						"spring.cloud.nacos.discovery.metadata.note=" + "n".repeat(noteLength),
						"spring.cloud.nacos.discovery.metadata.label=versión 2 ✓ 灰度")) {
			String content = rules + "stable-version=v1\n" + rules + "canary.v2=20";
			assertThat(config.publishConfig(dataId, group, content, "properties")).isTrue();
			// A real Nacos stores a publish asynchronously: the consumer's required
			// import
			// must find it.
			await().atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(250))
				.until(() -> content.equals(config.getConfig(dataId, group, 3000)));
			try (ConfigurableApplicationContext consumer = ReliabilityApps.consumer(target, group,
					"spring.config.import=nacos:" + dataId + "?group=" + group + "&refresh=true")) {
				DiscoveryClient discovery = consumer.getBean(DiscoveryClient.class);
				GrayRulesSource grayRules = consumer.getBean(GrayRulesSource.class);
				await().atMost(Duration.ofSeconds(20)).until(() -> discovery.getInstances(service).size() == 2);
				RestClient http = consumer.getBean(RestClient.Builder.class).build();
				String[] versions = { "v1", "v2", "v9", "" };
				AtomicInteger next = new AtomicInteger();
				try (CallLoop calls = new CallLoop("bad-routing-calls", () -> {
					String version = versions[Math.floorMod(next.getAndIncrement(), versions.length)];
					return http.get().uri("http://" + service + "/ping").headers((headers) -> {
						if (!version.isEmpty()) {
							headers.set("X-Gray-Version", version);
						}
					}).retrieve().body(String.class);
				})) {
					await().atMost(Duration.ofSeconds(20)).until(() -> calls.succeeded() > 20);
					// Rules no request can be routed by: refused, the rules in force
					// stay. An invalid share is a rolled-back refresh: it never reaches
					// the Environment.
					NacosConfigRefreshHistory history = consumer.getBean(NacosConfigRefreshHistory.class);
					assertThat(config.publishConfig(dataId, group,
							rules + "stable-version=v1\n" + rules + "canary.v2=150", "properties"))
						.isTrue();
					await().atMost(Duration.ofSeconds(20))
						.until(() -> history.refreshes()
							.stream()
							.anyMatch((refresh) -> refresh.outcome() == NacosConfigRefreshHistory.Outcome.ROLLED_BACK
									&& refresh.error() != null
									&& refresh.error()
										.contains("services." + service
												+ ".canary.v2 is 150.0%, must be between 0 and 100")));
					assertThat(consumer.getEnvironment().getProperty(rules + "canary.v2")).isEqualTo("20");
					publishRefused(config, dataId, group, grayRules, rules + "stable-version=v9", "v9");
					publishRefused(config, dataId, group, grayRules,
							rules + "stable-version=v1\n" + rules + "canary.v7=10", "v7");
					assertThat(canaryShare(grayRules.current(), service)).isEqualTo(2000);
					// Instances no call could reach, each registered by a client of its
					// own.
					List<String> refusedByServer = new ArrayList<>();
					for (Instance bad : List.of(instance("127.0.0.1", 0), instance("999.1.2.3", 8080),
							instance("not an address!", 8080), instance("127.0.0.1", 70000))) {
						NamingService other = NacosFactory.createNamingService(target.clientProperties());
						others.add(other);
						try {
							other.registerInstance(service, group, bad);
							String address = bad.getIp() + ":" + bad.getPort();
							await().atMost(Duration.ofSeconds(20))
								.untilAsserted(() -> assertThat(output.getAll())
									.contains("Ignoring instance " + address + " of Nacos service"));
						}
						catch (NacosException ex) {
							refusedByServer.add(bad.getIp() + ":" + bad.getPort() + " (" + ex.getErrMsg() + ")");
						}
					}
					assertThat(discovery.getInstances(service)).extracting(ServiceInstance::getPort)
						.containsExactlyInAnyOrder(port(v1), port(v2));
					assertThat(discovery.getInstances(service)).anySatisfy(
							(instance) -> assertThat(instance.getMetadata()).containsEntry("label", "versión 2 ✓ 灰度")
								.hasEntrySatisfying("note", (note) -> assertThat(note).hasSize(noteLength)));
					// A good change after all that still applies.
					assertThat(config.publishConfig(dataId, group,
							rules + "stable-version=v1\n" + rules + "canary.v2=50", "properties"))
						.isTrue();
					await().atMost(Duration.ofSeconds(20))
						.until(() -> canaryShare(grayRules.current(), service) == 5000);
					long callsAfter = calls.succeeded();
					await().atMost(Duration.ofSeconds(20)).until(() -> calls.succeeded() > callsAfter + 20);
					calls.close();
					System.out.printf(
							"[figures] bad rules and instances: %d calls, %d failed; refused by the"
									+ " client or server before reaching the consumer: %s%n",
							calls.succeeded(), calls.failed(), refusedByServer);
					assertThat(calls.failed()).as("failed calls, first: %s", calls.failures()).isZero();
				}
			}
		}
		finally {
			for (NamingService other : others) {
				other.shutDown();
			}
			config.removeConfig(dataId, group);
			config.shutDown();
		}
		assertThat(output.getAll()).contains("Rejected a change of the load-balancer rules");
	}

	private static void publishRefused(ConfigService config, String dataId, String group, GrayRulesSource grayRules,
			String content, String reason) throws NacosException {
		assertThat(config.publishConfig(dataId, group, content, "properties")).isTrue();
		await().atMost(Duration.ofSeconds(20)).until(() -> {
			String rejection = grayRules.getLastRejection();
			return rejection != null && rejection.contains(reason);
		});
	}

	private static int canaryShare(GrayRules rules, String service) {
		return rules.ruleFor(service)
			.canaries()
			.stream()
			.filter((canary) -> canary.version().equals("v2"))
			.mapToInt(GrayRules.Canary::basisPoints)
			.sum();
	}

	private static Instance instance(String ip, int port) {
		Instance instance = new Instance();
		instance.setIp(ip);
		instance.setPort(port);
		instance.getMetadata().put("version", "v1");
		return instance;
	}

	private static int port(ConfigurableApplicationContext provider) {
		return Integer.parseInt(provider.getEnvironment().getProperty("local.server.port"));
	}

}
