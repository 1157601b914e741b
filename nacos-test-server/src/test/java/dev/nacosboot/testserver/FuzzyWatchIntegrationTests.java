package dev.nacosboot.testserver;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.AbstractFuzzyWatchEventWatcher;
import com.alibaba.nacos.api.naming.listener.FuzzyWatchChangeEvent;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nacos 3 fuzzy watch: a client learns of existing services and data ids matching a
 * pattern, then of new and removed ones, without polling.
 */
class FuzzyWatchIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final Duration TIMEOUT = Duration.ofSeconds(15);

	private NacosClients clients;

	private String group;

	private String namespace;

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
	void serviceWatcherSeesExistingThenNewThenRemovedServices() throws Exception {
		NamingService existing = this.clients.naming(this.namespace);
		existing.registerInstance("fz-existing", this.group, NamingIntegrationTests.instance("10.5.0.1", 80, Map.of()));
		this.clients.naming(this.namespace)
			.registerInstance("other-service", this.group, NamingIntegrationTests.instance("10.5.0.2", 80, Map.of()));
		NamingService watcher = this.clients.naming(this.namespace);
		await().atMost(TIMEOUT).until(() -> watcher.getAllInstances("fz-existing", this.group, false).size() == 1);
		List<String> events = new CopyOnWriteArrayList<>();
		watcher.fuzzyWatch("fz-*", this.group, new AbstractFuzzyWatchEventWatcher() {

			@Override
			public void onEvent(FuzzyWatchChangeEvent event) {
				events.add(event.getChangeType() + " " + event.getServiceName());
			}

		});
		// At least once: the client's duplicate-ADD race is described in
		// configWatcherSeesExistingAndNewDataIds.
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(events.stream().distinct()).containsExactly("ADD_SERVICE fz-existing"));

		NamingService added = this.clients.naming(this.namespace);
		added.registerInstance("fz-new", this.group, NamingIntegrationTests.instance("10.5.0.3", 80, Map.of()));
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events).contains("ADD_SERVICE fz-new"));

		added.deregisterInstance("fz-new", this.group, "10.5.0.3", 80);
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events).contains("DELETE_SERVICE fz-new"));
		assertThat(events).noneMatch((event) -> event.contains("other-service"));
	}

	@Test
	void configWatcherSeesExistingAndNewDataIds() throws Exception {
		ConfigService publisher = this.clients.config(this.namespace);
		publisher.publishConfig("fz-one.yaml", this.group, "a: 1", "yaml");
		publisher.publishConfig("unrelated.yaml", this.group, "b: 1", "yaml");
		await().atMost(TIMEOUT).until(() -> publisher.getConfig("fz-one.yaml", this.group, 3000) != null);
		ConfigService watcher = this.clients.config(this.namespace);
		List<String> events = new CopyOnWriteArrayList<>();
		watcher.fuzzyWatch("fz-*", this.group,
				new com.alibaba.nacos.api.config.listener.AbstractFuzzyWatchEventWatcher() {

					@Override
					public void onEvent(com.alibaba.nacos.api.config.listener.ConfigFuzzyWatchChangeEvent event) {
						events.add(event.getChangedType() + " " + event.getDataId());
					}

				});
		// nacos-client 3.2.1 may report an ADD twice: its watcher checks "already known"
		// before the notify job
		// records the key, and the server's initial notification and the client's own
		// periodic diff sync can both
		// pass that check (Config/NamingFuzzyWatchContext.doNotifyWatcher). What matters
		// is which ids are reported.
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(events.stream().distinct()).containsExactly("ADD_CONFIG fz-one.yaml"));

		publisher.publishConfig("fz-two.yaml", this.group, "c: 1", "yaml");
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events).anyMatch((e) -> e.endsWith(" fz-two.yaml")));

		publisher.removeConfig("fz-two.yaml", this.group);
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events).contains("DELETE_CONFIG fz-two.yaml"));
		assertThat(events).noneMatch((event) -> event.contains("unrelated"));
		publisher.removeConfig("fz-one.yaml", this.group);
		publisher.removeConfig("unrelated.yaml", this.group);
	}

}
