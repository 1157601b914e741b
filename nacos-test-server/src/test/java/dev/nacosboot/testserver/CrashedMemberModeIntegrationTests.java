package dev.nacosboot.testserver;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import com.alibaba.nacos.api.naming.pojo.Instance;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Crashed-member mode: the instances of a connection that is gone stay listed, healthy,
 * for the configured time, as the surviving members of a Nacos cluster keep the instances
 * of a crashed member's clients; off by default. A feature of the embedded server, so
 * these tests always use one of their own.
 */
class CrashedMemberModeIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	@Test
	void instancesOfAClosedConnectionShouldStayListedHealthyUntilTheRetentionEnds() throws Exception {
		try (NacosTestServer server = NacosTestServer.builder()
			.crashedMemberMode(Duration.ofSeconds(2))
			.build()
			.start()) {
			NamingService watcher = NacosFactory.createNamingService(properties(server));
			NamingService ghost = NacosFactory.createNamingService(properties(server));
			try {
				List<List<Instance>> pushes = new CopyOnWriteArrayList<>();
				watcher.subscribe("ghosts", (event) -> pushes.add(((NamingEvent) event).getInstances()));
				ghost.registerInstance("ghosts", "127.0.0.1", 19001);
				await().atMost(WAIT).until(() -> watcher.getAllInstances("ghosts").size() == 1);
				int connectionsBefore = server.connections().size();

				ghost.shutDown();
				await().atMost(WAIT).until(() -> server.connections().size() < connectionsBefore);

				assertThat(server.instances("ghosts")).singleElement()
					.satisfies((instance) -> assertThat(instance.isHealthy()).isTrue());
				assertThat(watcher.selectInstances("ghosts", true)).hasSize(1);
				await().atMost(WAIT).until(() -> server.instances("ghosts").isEmpty());
				await().atMost(WAIT).until(() -> !pushes.isEmpty() && pushes.get(pushes.size() - 1).isEmpty());
			}
			finally {
				watcher.shutDown();
			}
		}
	}

	@Test
	void offByDefaultTheInstancesShouldGoWithTheirConnection() throws Exception {
		try (NacosTestServer server = NacosTestServer.builder().build().start()) {
			NamingService client = NacosFactory.createNamingService(properties(server));
			client.registerInstance("gone", "127.0.0.1", 19002);
			await().atMost(WAIT).until(() -> server.instances("gone").size() == 1);
			client.shutDown();
			await().atMost(WAIT).until(() -> server.instances("gone").isEmpty());
		}
	}

	@Test
	void clientThatReconnectsShouldBeListedOnceBesideItsOldConnectionsInstances() throws Exception {
		try (NacosTestServer server = NacosTestServer.builder()
			.crashedMemberMode(Duration.ofMinutes(10))
			.build()
			.start()) {
			NamingService client = NacosFactory.createNamingService(properties(server));
			try {
				client.registerInstance("back", "127.0.0.1", 19003);
				await().atMost(WAIT).until(() -> server.instances("back").size() == 1);
				long registrations = server.requestCount("InstanceRequest");
				// The server loses the connection; the client reconnects and registers
				// the
				// same instance again, beside the one its old connection left behind.
				server.forgetConnections();
				await().atMost(WAIT).until(() -> server.requestCount("InstanceRequest") > registrations);
				assertThat(server.instances("back")).hasSize(1);
			}
			finally {
				client.shutDown();
			}
		}
	}

	private static Properties properties(NacosTestServer server) {
		Properties properties = new Properties();
		properties.setProperty(PropertyKeyConst.SERVER_ADDR, server.serverAddr());
		return properties;
	}

}
