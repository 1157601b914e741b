package dev.nacosboot.testserver;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.listener.AbstractFuzzyWatchEventWatcher;
import com.alibaba.nacos.api.config.listener.ConfigFuzzyWatchChangeEvent;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.exception.runtime.NacosRuntimeException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.FuzzyWatchChangeEvent;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A server with naming fuzzy watch off looks to a naming client as one without it (Nacos
 * 2.x): the client refuses to fuzzy-watch, and everything else works.
 */
class NamingFuzzyWatchOffIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension(
			(server) -> server.namingFuzzyWatch(false));

	private static final Duration TIMEOUT = Duration.ofSeconds(15);

	private NacosClients clients;

	@BeforeEach
	void setUp() {
		// Only the embedded server can be switched; skipped against an external one.
		nacos.target().server();
		this.clients = new NacosClients(nacos.target());
	}

	@AfterEach
	void tearDown() throws Exception {
		if (this.clients != null) {
			this.clients.close();
		}
	}

	@Test
	void namingClientRefusesToFuzzyWatchAndStillListsServices() throws Exception {
		NamingService provider = this.clients.naming((String) null);
		provider.registerInstance("off-listed", "OFF", NamingIntegrationTests.instance("10.6.0.1", 80, Map.of()));
		NamingService watcher = this.clients.naming((String) null);
		assertThatExceptionOfType(NacosRuntimeException.class).isThrownBy(() -> watcher.fuzzyWatch("OFF",
				new com.alibaba.nacos.api.naming.listener.AbstractFuzzyWatchEventWatcher() {

					@Override
					public void onEvent(FuzzyWatchChangeEvent event) {
					}

				}))
			.satisfies((ex) -> assertThat(ex.getErrCode()).isEqualTo(NacosException.SERVER_NOT_IMPLEMENTED));
		assertThat(watcher.getServicesOfServer(1, 100, "OFF").getData()).containsExactly("off-listed");
		assertThat(nacos.target().server().requestCount("NamingFuzzyWatchRequest")).isZero();
	}

	@Test
	void configClientKeepsFuzzyWatch() throws Exception {
		ConfigService config = this.clients.config((String) null);
		List<String> events = new CopyOnWriteArrayList<>();
		config.fuzzyWatch("OFF", new AbstractFuzzyWatchEventWatcher() {

			@Override
			public void onEvent(ConfigFuzzyWatchChangeEvent event) {
				events.add(event.getDataId());
			}

		});
		config.publishConfig("off.yaml", "OFF", "a: 1", "yaml");
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events).contains("off.yaml"));
	}

}
