package dev.nacosboot.clients;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.clients.ClientApps.Client;
import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real 3-member Nacos cluster loses one member after the other (SIGKILL, then a
 * restart) while a consumer calls a two-instance service in a loop through each client
 * type, and instances registered through the killed member by processes that stop around
 * the crash stay listed by the survivors as healthy ghosts. No call may fail.
 * <p>
 * Runs only when {@code NACOS_CLUSTER_SCRIPT} names the cluster script
 * ({@code ../shared/realnacos/cluster.sh}) and {@code NACOS_SERVER_ADDR} lists the three
 * members in member order; skipped otherwise (docs/reliability.md has the runbook).
 */
class ClusterMemberCrashIntegrationTests {

	/** Environment variable naming the script that kills and restarts a member. */
	static final String CLUSTER_SCRIPT_ENV = "NACOS_CLUSTER_SCRIPT";

	private static final int GHOSTS_PER_ROUND = 3;

	/** Calls each loop makes after a kill, and again after the restart, per round. */
	private static final int CALLS_PER_PHASE = Integer.getInteger("cluster.calls-per-phase", 1500);

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

	private static final List<NamingService> ghostClients = new CopyOnWriteArrayList<>();

	private static String script;

	private static List<String> members;

	private static String group;

	private static String service;

	private static ConfigurableApplicationContext consumer;

	@BeforeAll
	static void start() {
		script = System.getenv(CLUSTER_SCRIPT_ENV);
		assumeTrue(script != null && !script.isBlank(),
				"needs a real Nacos cluster: set " + CLUSTER_SCRIPT_ENV + " and NACOS_SERVER_ADDR");
		NacosTarget target = nacos.target();
		assumeTrue(target.isExternal(), "needs NACOS_SERVER_ADDR with the three cluster members");
		members = List.of(target.serverAddr().split(","));
		assertThat(members).as("NACOS_SERVER_ADDR lists the three members in order").hasSize(3);
		group = target.unique("cluster-crash");
		service = target.unique("cluster-greeting");
		contexts.add(ClientApps.provider(target, group, service));
		contexts.add(ClientApps.provider(target, group, service));
		consumer = ClientApps.consumer(target, group, service);
		contexts.add(consumer);
		NacosInstanceView view = consumer.getBean(NacosInstanceView.class);
		await().atMost(ClientApps.PUSH).until(() -> view.getInstances(service).size() == 2);
	}

	@AfterAll
	static void stop() throws Exception {
		for (NamingService client : ghostClients) {
			client.shutDown();
		}
		for (ConfigurableApplicationContext context : contexts) {
			context.close();
		}
	}

	@Test
	void killingEachMemberInTurnUnderACallLoopWithGhostsShouldFailNoCall() throws Exception {
		NacosInstanceView view = consumer.getBean(NacosInstanceView.class);
		Map<Client, List<Integer>> failedPerRound = new EnumMap<>(Client.class);
		for (int member = 1; member <= members.size(); member++) {
			List<Integer> ghostPorts = new ArrayList<>();
			List<NamingService> ghosts = ghostsOn(member, ghostPorts);
			// This round's ghosts listed; earlier ones may have expired by now.
			await().atMost(ClientApps.PUSH)
				.until(() -> view.getInstances(service)
					.stream()
					.map((instance) -> instance.getPort())
					.toList()
					.containsAll(ghostPorts));
			List<Loop> loops = new ArrayList<>();
			for (Client client : Client.values()) {
				loops.add(new Loop(client));
			}
			try {
				run("kill", member);
				// The processes that registered the ghosts stop while their member is
				// down:
				// the survivors list their instances until the client expiry.
				for (NamingService ghost : ghosts) {
					ghost.shutDown();
				}
				awaitCalls(loops);
				run("restart", member);
				awaitCalls(loops);
			}
			finally {
				loops.forEach(Loop::stop);
			}
			StringBuilder round = new StringBuilder();
			for (Loop loop : loops) {
				failedPerRound.computeIfAbsent(loop.client, (client) -> new ArrayList<>()).add(loop.failed.get());
				round.append(
						String.format(" %s %d calls, %d failed;", loop.client, loop.calls.get(), loop.failed.get()));
			}
			System.out.printf(
					"[figures] cluster round %d (member %d at %s killed and restarted, %d ghosts listed):%s"
							+ " instances listed at the end: %d%n",
					member, member, members.get(member - 1), ghosts.size(), round, view.getInstances(service).size());
			for (Loop loop : loops) {
				assertThat(loop.failed)
					.as("%s failed calls in round %d, first: %s", loop.client, member, loop.firstFailure.get())
					.hasValue(0);
			}
		}
		System.out.println("[figures] cluster: failed calls per round by client: " + failedPerRound);
	}

	// Ghost instances registered through member N only: its clients cannot move to
	// another member when it dies.
	private static List<NamingService> ghostsOn(int member, List<Integer> ports) throws Exception {
		List<NamingService> ghosts = new ArrayList<>();
		for (int i = 0; i < GHOSTS_PER_ROUND; i++) {
			Properties properties = nacos.target().clientProperties();
			properties.setProperty(PropertyKeyConst.SERVER_ADDR, members.get(member - 1));
			NamingService client = NacosFactory.createNamingService(properties);
			Instance instance = new Instance();
			instance.setIp("127.0.0.1");
			instance.setPort(deadPort());
			client.registerInstance(service, group, instance);
			ports.add(instance.getPort());
			ghosts.add(client);
			ghostClients.add(client);
		}
		return ghosts;
	}

	private static int deadPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static void awaitCalls(List<Loop> loops) {
		List<Integer> targets = loops.stream().map((loop) -> loop.calls.get() + CALLS_PER_PHASE).toList();
		await().atMost(Duration.ofMinutes(5)).until(() -> {
			for (int i = 0; i < loops.size(); i++) {
				if (loops.get(i).calls.get() < targets.get(i)) {
					return false;
				}
			}
			return true;
		});
	}

	private static void run(String command, int member) throws Exception {
		Process process = new ProcessBuilder(script, command, String.valueOf(member)).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("%s %s %d finished", script, command, member).isTrue();
		System.out.print(output);
		assertThat(process.exitValue()).as("%s %s %d: %s", script, command, member, output).isZero();
	}

	/** One client type calling the service in a loop on a thread of its own. */
	private static final class Loop {

		private final Client client;

		private final AtomicInteger calls = new AtomicInteger();

		private final AtomicInteger failed = new AtomicInteger();

		private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final Thread thread;

		Loop(Client client) {
			this.client = client;
			this.thread = new Thread(this::run, "cluster-calls-" + client);
			this.thread.start();
		}

		private void run() {
			int i = 0;
			while (this.running.get()) {
				try {
					String answer = ((i++ % 2) == 0) ? this.client.get(consumer, "/greeting")
							: this.client.post(consumer, "order");
					if (answer == null || answer.isBlank()) {
						throw new IllegalStateException("empty answer");
					}
				}
				catch (RuntimeException ex) {
					this.failed.incrementAndGet();
					this.firstFailure.compareAndSet(null, ex);
				}
				this.calls.incrementAndGet();
			}
		}

		void stop() {
			this.running.set(false);
			try {
				this.thread.join(TimeUnit.SECONDS.toMillis(60));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
