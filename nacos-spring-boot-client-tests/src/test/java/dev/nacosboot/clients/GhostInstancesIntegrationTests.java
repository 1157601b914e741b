package dev.nacosboot.clients;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import com.sun.net.httpserver.HttpServer;
import dev.nacosboot.clients.ClientApps.Attempts;
import dev.nacosboot.clients.ClientApps.Client;
import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.loadbalancer.NoReachableInstanceException;
import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Ghost instances, as the surviving members of a Nacos cluster list them after a member
 * crashed: registered through connections that are gone, by processes that stopped, still
 * listed as healthy. The embedded server's crashed-member mode keeps them; against an
 * external Nacos the registering clients stay connected instead, which lists them the
 * same way. A consumer with no Spring Retry and nothing switched on calls through each
 * client type: a failed connect is requeued on another instance, the ghost is ejected at
 * once and probed, and a service of ghosts only fails fast with a clear error.
 */
class GhostInstancesIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension(
			(server) -> server.crashedMemberMode(Duration.ofMinutes(10)));

	private static final int CALLS = 200;

	private static final List<NamingService> ghostClients = new CopyOnWriteArrayList<>();

	private static final List<ConfigurableApplicationContext> providers = new CopyOnWriteArrayList<>();

	private static final List<HttpServer> revived = new CopyOnWriteArrayList<>();

	private static String group;

	private static String mixed;

	private static String ghostsOnly;

	private static String comingBack;

	private static final List<Integer> mixedGhostPorts = new ArrayList<>();

	private static final List<Integer> deadPorts = new ArrayList<>();

	private ConfigurableApplicationContext consumer;

	@BeforeAll
	static void start() throws Exception {
		NacosTarget target = nacos.target();
		group = target.unique("ghosts");
		mixed = target.unique("ghost-mixed");
		ghostsOnly = target.unique("ghost-only");
		comingBack = target.unique("ghost-back");
		providers.add(ClientApps.provider(target, group, mixed));
		providers.add(ClientApps.provider(target, group, mixed));
		providers.add(ClientApps.provider(target, group, comingBack));
		for (int i = 0; i < 3; i++) {
			mixedGhostPorts.add(ghost(mixed));
			deadPorts.add(ghost(ghostsOnly));
		}
	}

	@AfterAll
	static void stop() throws Exception {
		for (ConfigurableApplicationContext provider : providers) {
			provider.close();
		}
		for (NamingService client : ghostClients) {
			client.shutDown();
		}
		revived.forEach((server) -> server.stop(0));
	}

	@AfterEach
	void closeConsumer() {
		if (this.consumer != null) {
			this.consumer.close();
		}
	}

	@Test
	void noSpringRetryShouldBeOnTheClassPath() {
		assertThat(ClassUtils.isPresent("org.springframework.retry.support.RetryTemplate", null)).isFalse();
	}

	@ParameterizedTest
	@EnumSource(Client.class)
	void threeGhostsAndTwoLiveInstancesShouldGiveNoFailedCall(Client client) {
		ConfigurableApplicationContext consumer = consumer(mixed, 5);
		int failed = 0;
		Throwable firstFailure = null;
		for (int i = 0; i < CALLS; i++) {
			try {
				// GETs and POSTs alike: a failed connect never reached a server.
				String answer = (i % 2 == 0) ? client.get(consumer, "/greeting") : client.post(consumer, "order-" + i);
				assertThat(answer).isNotBlank();
			}
			catch (RuntimeException ex) {
				failed++;
				firstFailure = (firstFailure != null) ? firstFailure : ex;
			}
		}
		Attempts attempts = consumer.getBean(Attempts.class);
		int onGhosts = mixedGhostPorts.stream().mapToInt(attempts::to).sum();
		System.out.printf("[figures] 3 ghosts + 2 live, %s: %d calls, %d failed, %d connection attempts (%d to"
				+ " ghosts) (%s)%n", client, CALLS, failed, attempts.total(), onGhosts, nacos.target());
		assertThat(failed).as("failed calls, first: %s", firstFailure).isZero();
		assertThat(onGhosts).as("each ghost tried at most once, then ejected").isLessThanOrEqualTo(3);
	}

	@ParameterizedTest
	@EnumSource(Client.class)
	void everyInstanceAGhostShouldFailQuicklyNamingTheServiceAndTheAddressesTried(Client client) {
		ConfigurableApplicationContext consumer = consumer(ghostsOnly, 3);
		NoReachableInstanceException first = unreachable(() -> client.get(consumer, "/greeting"));
		assertThat(first.getServiceId()).isEqualTo(ghostsOnly);
		assertThat(first.getTriedAddresses())
			.containsExactlyInAnyOrderElementsOf(deadPorts.stream().map((port) -> "127.0.0.1:" + port).toList());
		assertThat(first.getMessage()).startsWith("No instance of " + ghostsOnly + " accepted a connection: tried ");
		int calls = 50;
		for (int i = 0; i < calls; i++) {
			NoReachableInstanceException again = unreachable(() -> client.post(consumer, "order"));
			assertThat(again.getMessage()).contains("are out for refusing connections too");
		}
		int attempts = consumer.getBean(Attempts.class).total();
		System.out.printf(
				"[figures] 3 ghosts only, %s: %d calls, %d failed, %d connection attempts; first error: %s" + " (%s)%n",
				client, calls + 1, calls + 1, attempts, first.getMessage(), nacos.target());
		assertThat(attempts).as("no retry storm: one attempt per call once all are known dead").isEqualTo(3 + calls);
	}

	@ParameterizedTest
	@EnumSource(Client.class)
	void ghostThatComesBackShouldGetTrafficAgainAfterItsProbe(Client client) throws Exception {
		int port = ghost(comingBack);
		ConfigurableApplicationContext consumer = consumer(comingBack, -1,
				"spring.cloud.nacos.loadbalancer.outlier-detection.probe-interval=100ms",
				"spring.cloud.nacos.loadbalancer.outlier-detection.max-probe-interval=400ms",
				"spring.cloud.nacos.loadbalancer.outlier-detection.ramp-up=0s");
		NacosInstanceView view = consumer.getBean(NacosInstanceView.class);
		await().atMost(ClientApps.PUSH)
			.until(() -> view.getInstances(comingBack).stream().anyMatch((instance) -> instance.getPort() == port));
		Attempts attempts = consumer.getBean(Attempts.class);
		int calls = 0;
		while (attempts.to(port) == 0) {
			assertThat(client.get(consumer, "/greeting")).isNotBlank();
			if (++calls > 1000) {
				fail("the ghost on port " + port + " was never chosen");
			}
		}
		// Ejected: user calls never go there to find out whether it is back.
		for (int i = 0; i < 50; i++) {
			assertThat(client.get(consumer, "/greeting")).doesNotEndWith("@" + port);
		}
		assertThat(attempts.to(port)).isEqualTo(1);

		revived.add(answerOn(port));
		await().atMost(ClientApps.PUSH)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> client.get(consumer, "/greeting").endsWith("@" + port));
		System.out.printf("[figures] ghost back, %s: 1 failed connect to it before it came back, traffic again"
				+ " after its probe (%s)%n", client, nacos.target());
	}

	private ConfigurableApplicationContext consumer(String service, int expectedInstances, String... extra) {
		this.consumer = ClientApps.consumer(nacos.target(), group, service, extra);
		NacosInstanceView view = this.consumer.getBean(NacosInstanceView.class);
		if (expectedInstances > 0) {
			await().atMost(ClientApps.PUSH).until(() -> view.getInstances(service).size() == expectedInstances);
		}
		return this.consumer;
	}

	private static NoReachableInstanceException unreachable(Runnable call) {
		try {
			call.run();
		}
		catch (RuntimeException ex) {
			for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
				if (cause instanceof NoReachableInstanceException unreachable) {
					assertThat(ex.getMessage()).contains(unreachable.getServiceId());
					return unreachable;
				}
			}
			throw new AssertionError("Not a NoReachableInstanceException: " + ex, ex);
		}
		throw new AssertionError("The call succeeded");
	}

	/**
	 * Registers an instance on a port nothing listens on and lets its registering client
	 * go: a ghost. Against an external Nacos the client stays connected (a single server
	 * drops the instances of a closed connection at once).
	 */
	private static int ghost(String service) throws Exception {
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		NamingService client = NacosFactory.createNamingService(nacos.target().clientProperties());
		Instance instance = new Instance();
		instance.setIp("127.0.0.1");
		instance.setPort(port);
		client.registerInstance(service, group, instance);
		await().atMost(ClientApps.PUSH)
			.until(() -> client.getAllInstances(service, group, false)
				.stream()
				.anyMatch((registered) -> registered.getPort() == port));
		if (nacos.target().isExternal()) {
			ghostClients.add(client);
		}
		else {
			// Gone without deregistering, as a process that stopped while its Nacos
			// member was down: crashed-member mode keeps the instance listed.
			client.shutDown();
		}
		return port;
	}

	// A plain HTTP server where the ghost was, answering as a provider does.
	private static HttpServer answerOn(int port) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
		server.createContext("/", (exchange) -> {
			byte[] body = ("v1@" + port).getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "text/plain");
			exchange.sendResponseHeaders(200, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		server.start();
		return server;
	}

}
