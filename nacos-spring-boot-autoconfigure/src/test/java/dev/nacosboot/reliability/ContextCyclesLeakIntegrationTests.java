package dev.nacosboot.reliability;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.nacosboot.actuate.NacosActuateAutoConfiguration;
import dev.nacosboot.actuate.NacosConnectionMonitor;
import dev.nacosboot.config.NacosConfigAutoConfiguration;
import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.discovery.NacosDiscoveryAutoConfiguration;
import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.registry.NacosRegistryAutoConfiguration;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.autoconfigure.ConfigurationPropertiesRebinderAutoConfiguration;
import org.springframework.cloud.autoconfigure.RefreshAutoConfiguration;
import org.springframework.cloud.client.CommonsClientAutoConfiguration;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationAutoConfiguration;
import org.springframework.cloud.client.serviceregistry.ServiceRegistryAutoConfiguration;
import org.springframework.cloud.commons.util.UtilAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many application contexts started and closed in one JVM (tests, devtools restarts)
 * leave nothing behind: no thread, no connection, no file descriptor grows per cycle.
 * Each cycle is a non-web application that registers, discovers, imports a config and
 * samples its connection state, so it creates and closes a naming and a config client and
 * every thread of this starter. To stay cheap it imports only the auto-configurations
 * involved.
 */
class ContextCyclesLeakIntegrationTests {

	private static final int CYCLES = Integer.getInteger("reliability.cycles", 100);

	/**
	 * Threads of pools the nacos-client (and gRPC) keep in static fields, shared by every
	 * client of the JVM: their threads come and go with idle timeouts, so each may be
	 * above the baseline by at most its pool's idle threads.
	 */
	private static final Pattern JVM_WIDE_CLIENT_POOLS = Pattern.compile("^(com\\.alibaba\\.nacos\\.client\\."
			+ "(listen-executor|fuzzy-watcher-executor|naming\\.fuzzy\\.watch\\.Worker|auth\\.ram\\.identify\\.watcher)"
			+ "|nacos\\.client\\.config\\."
			+ "listener\\.task|grpc-default-executor|grpc-nio-worker-ELG|grpc-shared-destroyer)");

	private static final int JVM_WIDE_POOL_SLACK = 2;

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	@Test
	void hundredContextStartStopCyclesReturnThreadsAndConnectionsToTheBaseline() {
		String group = nacos.target().unique("cycles");
		String service = nacos.target().unique("cycled");
		cycle(group, service);
		Snapshot baseline = Snapshot.take();
		long started = System.nanoTime();
		for (int i = 0; i < CYCLES; i++) {
			cycle(group, service);
		}
		long elapsed = System.nanoTime() - started;
		Snapshot after = await().pollInSameThread()
			.atMost(Duration.ofSeconds(30))
			.until(Snapshot::take, (now) -> now.isBackTo(baseline));
		System.out.printf(
				"[figures] %d context cycles in %d ms (%d ms each); threads %d -> %d, connections to the"
						+ " server %d -> %d, open file descriptors %d -> %d, heap after GC %d MB -> %d MB%n",
				CYCLES, elapsed / 1_000_000, elapsed / 1_000_000 / CYCLES, baseline.threadCount(), after.threadCount(),
				baseline.connections(), after.connections(), baseline.fds(), after.fds(), baseline.heapMb(),
				after.heapMb());
		assertThat(after.connections()).isLessThanOrEqualTo(baseline.connections());
		// Descriptors come and go with jars and sockets; one per cycle would be +100.
		assertThat(after.fds()).isLessThan(baseline.fds() + CYCLES / 4);
	}

	private static void cycle(String group, String service) {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(CycledApplication.class)
			.web(WebApplicationType.NONE)
			.properties(TestApps.common(nacos.target(), group))
			.properties("spring.application.name=" + service, "spring.cloud.nacos.discovery.port=8080",
					"spring.config.import=optional:nacos:" + service + ".properties?group=" + group,
					"spring.main.banner-mode=off", "spring.main.log-startup-info=false",
					"logging.level.dev.nacosboot=warn",
					// Each cycle waits for the listener: without the start delay, 100
					// cycles take 30 s less, and what leaks does not depend on it.
					"spring.cloud.nacos.client-start-delay=0")
			.run()) {
			context.getBean(DiscoveryClient.class).getInstances(service);
			// Close only once both clients are connected: nacos-client 3.2.1 leaks a
			// connection when it is shut down
			// while a reconnect is under way (RpcClient.reconnect sets the new connection
			// after shutdown()), which
			// a loaded machine can trigger when a context closes right after its clients
			// started connecting.
			NacosInstanceView view = context.getBean(NacosInstanceView.class);
			NacosConnectionMonitor config = context.getBean(NacosActuateAutoConfiguration.CONFIG_MONITOR,
					NacosConnectionMonitor.class);
			// The config listener is registered in the background once the application is
			// ready (client-start-delay); closing while nacos-client's listen request is
			// in flight can leak a
			// connection the same way, so wait until the server holds the listener.
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
				config.sample();
				return view.isServerUp() && config.state().state() == NacosConnectionMonitor.State.CONNECTED && (nacos
					.target()
					.isExternal()
						|| !nacos.target().server().configListeners(null, group, service + ".properties").isEmpty());
			});
		}
	}

	@SpringBootConfiguration
	@ImportAutoConfiguration({ PropertyPlaceholderAutoConfiguration.class,
			ConfigurationPropertiesAutoConfiguration.class, UtilAutoConfiguration.class, RefreshAutoConfiguration.class,
			ConfigurationPropertiesRebinderAutoConfiguration.class, CommonsClientAutoConfiguration.class,
			NacosCoreAutoConfiguration.class, NacosDiscoveryAutoConfiguration.class,
			NacosRegistryAutoConfiguration.class, ServiceRegistryAutoConfiguration.class,
			AutoServiceRegistrationAutoConfiguration.class, NacosConfigAutoConfiguration.class,
			NacosActuateAutoConfiguration.class })
	static class CycledApplication {

	}

	record Snapshot(Map<String, Integer> threads, int threadCount, int connections, long fds, long heapMb) {

		static Snapshot take() {
			Map<String, Integer> threads = new TreeMap<>();
			int count = 0;
			for (Thread thread : Thread.getAllStackTraces().keySet()) {
				// The test server's own threads are the server's, not the application's.
				if (thread.isAlive() && !thread.getName().startsWith("nacos-test-server")) {
					count++;
					threads.merge(thread.getName().replaceAll("\\d+", "#"), 1, Integer::sum);
				}
			}
			int connections = nacos.target().isExternal() ? 0 : nacos.target().server().connections().size();
			OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
			long fds = (os instanceof UnixOperatingSystemMXBean unix) ? unix.getOpenFileDescriptorCount() : -1;
			System.gc();
			Runtime runtime = Runtime.getRuntime();
			long heapMb = (runtime.totalMemory() - runtime.freeMemory()) / (1024 * 1024);
			return new Snapshot(threads, count, connections, fds, heapMb);
		}

		boolean isBackTo(Snapshot baseline) {
			for (Map.Entry<String, Integer> entry : this.threads.entrySet()) {
				int allowed = baseline.threads().getOrDefault(entry.getKey(), 0)
						+ (JVM_WIDE_CLIENT_POOLS.matcher(entry.getKey()).find() ? JVM_WIDE_POOL_SLACK : 0);
				if (entry.getValue() > allowed) {
					System.out.printf("waiting for threads '%s': %d, baseline %d%n", entry.getKey(), entry.getValue(),
							baseline.threads().getOrDefault(entry.getKey(), 0));
					return false;
				}
			}
			if (this.connections > baseline.connections()) {
				System.out.printf("waiting for connections: %d, baseline %d: %s%n", this.connections,
						baseline.connections(), nacos.target().server().connections());
				return false;
			}
			return true;
		}

	}

}
