package dev.nacosboot.testserver;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.listener.Listener;
import com.alibaba.nacos.api.exception.NacosException;
import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Configuration with the real nacos-client, against the embedded test server or, with
 * {@code NACOS_SERVER_ADDR}, a real Nacos.
 */
class ConfigIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final Duration NOTIFY_TIMEOUT = Duration.ofSeconds(10);

	private NacosClients clients;

	private String namespace;

	private String group;

	@BeforeEach
	void setUp(TestInfo test) {
		this.clients = new NacosClients(nacos.target());
		this.namespace = nacos.target().isExternal() ? nacos.target().unique("ns") : "";
		this.group = nacos.target().unique(test.getTestMethod().orElseThrow().getName());
	}

	@AfterEach
	void tearDown() throws Exception {
		this.clients.close();
	}

	@Test
	void publishedConfigIsReadBack() throws Exception {
		ConfigService config = this.clients.config(this.namespace);

		assertThat(config.publishConfig("app.yaml", this.group, "greeting: hello\n", "yaml")).isTrue();

		await().atMost(NOTIFY_TIMEOUT)
			.untilAsserted(
					() -> assertThat(config.getConfig("app.yaml", this.group, 3000)).isEqualTo("greeting: hello\n"));
		config.removeConfig("app.yaml", this.group);
	}

	@Test
	void missingConfigReadsAsNull() throws Exception {
		ConfigService config = this.clients.config(this.namespace);

		assertThat(config.getConfig("absent.properties", this.group, 3000)).isNull();
	}

	@Test
	void publishIsDeliveredToAnotherClientsListener() throws Exception {
		ConfigService publisher = this.clients.config(this.namespace);
		ConfigService subscriber = this.clients.config(this.namespace);
		publisher.publishConfig("live.properties", this.group, "a=1", "properties");
		await().atMost(NOTIFY_TIMEOUT)
			.until(() -> "a=1".equals(subscriber.getConfig("live.properties", this.group, 3000)));
		List<String> received = new CopyOnWriteArrayList<>();
		subscriber.addListener("live.properties", this.group, listener(received));

		publisher.publishConfig("live.properties", this.group, "a=2", "properties");

		await().atMost(NOTIFY_TIMEOUT).untilAsserted(() -> assertThat(received).isNotEmpty().last().isEqualTo("a=2"));
		publisher.removeConfig("live.properties", this.group);
	}

	@Test
	void listenerOfAConfigPublishedLaterIsNotified() throws Exception {
		ConfigService publisher = this.clients.config(this.namespace);
		ConfigService subscriber = this.clients.config(this.namespace);
		List<String> received = new CopyOnWriteArrayList<>();
		subscriber.addListener("later.yaml", this.group, listener(received));

		publisher.publishConfig("later.yaml", this.group, "x: 1", "yaml");

		await().atMost(NOTIFY_TIMEOUT).untilAsserted(() -> assertThat(received).contains("x: 1"));
		publisher.removeConfig("later.yaml", this.group);
	}

	@Test
	void removeIsDeliveredToListeners() throws Exception {
		ConfigService publisher = this.clients.config(this.namespace);
		ConfigService subscriber = this.clients.config(this.namespace);
		publisher.publishConfig("doomed.properties", this.group, "k=v", "properties");
		await().atMost(NOTIFY_TIMEOUT)
			.until(() -> "k=v".equals(subscriber.getConfig("doomed.properties", this.group, 3000)));
		List<String> received = new CopyOnWriteArrayList<>();
		subscriber.addListener("doomed.properties", this.group, listener(received));

		assertThat(publisher.removeConfig("doomed.properties", this.group)).isTrue();

		// The client tells its listeners of a removal with null content.
		await().atMost(NOTIFY_TIMEOUT).untilAsserted(() -> assertThat(received).isNotEmpty().last().isEqualTo(""));
		assertThat(subscriber.getConfig("doomed.properties", this.group, 3000)).isNull();
	}

	@Test
	void namespacesAndGroupsAreIsolated() throws Exception {
		String otherNamespace = nacos.target().unique("ns-other");
		String otherGroup = nacos.target().unique("group-other");
		ConfigService config = this.clients.config(this.namespace);
		ConfigService otherNamespaceConfig = this.clients.config(otherNamespace);

		config.publishConfig("shared.properties", this.group, "where=here", "properties");
		otherNamespaceConfig.publishConfig("shared.properties", this.group, "where=other-namespace", "properties");
		config.publishConfig("shared.properties", otherGroup, "where=other-group", "properties");

		await().atMost(NOTIFY_TIMEOUT).untilAsserted(() -> {
			assertThat(config.getConfig("shared.properties", this.group, 3000)).isEqualTo("where=here");
			assertThat(otherNamespaceConfig.getConfig("shared.properties", this.group, 3000))
				.isEqualTo("where=other-namespace");
			assertThat(config.getConfig("shared.properties", otherGroup, 3000)).isEqualTo("where=other-group");
		});
		config.removeConfig("shared.properties", this.group);
		config.removeConfig("shared.properties", otherGroup);
		otherNamespaceConfig.removeConfig("shared.properties", this.group);
	}

	@Test
	void compareAndSwapPublishRefusesAStaleMd5() throws Exception {
		ConfigService config = this.clients.config(this.namespace);
		config.publishConfig("cas.properties", this.group, "v=1", "properties");
		await().atMost(NOTIFY_TIMEOUT).until(() -> "v=1".equals(config.getConfig("cas.properties", this.group, 3000)));

		boolean stale = config.publishConfigCas("cas.properties", this.group, "v=2", "0123456789abcdef0123456789abcdef",
				"properties");
		boolean current = config.publishConfigCas("cas.properties", this.group, "v=3", md5("v=1"), "properties");

		assertThat(stale).isFalse();
		assertThat(current).isTrue();
		await().atMost(NOTIFY_TIMEOUT).until(() -> "v=3".equals(config.getConfig("cas.properties", this.group, 3000)));
		config.removeConfig("cas.properties", this.group);
	}

	@Test
	void blankContentIsRefused() throws Exception {
		ConfigService config = this.clients.config(this.namespace);

		assertThatExceptionOfType(NacosException.class)
			.isThrownBy(() -> config.publishConfig("blank.properties", this.group, " "));
	}

	@Test
	void serverCountsConfigQueriesAndListeners(NacosTarget target) throws Exception {
		NacosTestServer server = target.server();
		ConfigService config = this.clients.config(this.namespace);
		config.publishConfig("counted.yaml", this.group, "c: 1", "yaml");
		config.getConfigAndSignListener("counted.yaml", this.group, 3000, listener(new CopyOnWriteArrayList<>()));

		await().atMost(NOTIFY_TIMEOUT).untilAsserted(() -> {
			assertThat(server.configQueryCount(this.namespace, this.group, "counted.yaml")).isPositive();
			assertThat(server.configListeners(this.namespace, this.group, "counted.yaml")).hasSize(1);
		});
		assertThat(server.config(this.namespace, this.group, "counted.yaml")).contains("c: 1");
		assertThat(server.requestCount("ConfigPublishRequest")).isPositive();
	}

	private static Listener listener(List<String> received) {
		return new Listener() {

			@Override
			public Executor getExecutor() {
				return null;
			}

			@Override
			public void receiveConfigInfo(String configInfo) {
				received.add((configInfo != null) ? configInfo : "");
			}

		};
	}

	private static String md5(String content) {
		return ConfigStore.md5(content);
	}

}
