package dev.nacosboot.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application stopped the way an orchestrator stops it: SIGTERM to its JVM. Then
 * nacos-client's own shutdown hooks run beside Spring's and stop delivering listener
 * events, unlike a {@code close()} in a test; the removal must still be confirmed from
 * what does arrive, with no time-out, before the web server stops.
 */
class SigtermShutdownIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	@Test
	void sigtermDeregistersAndConfirmsTheRemovalWithoutATimeOut() throws Exception {
		String group = nacos.target().unique("sigterm");
		String service = nacos.target().unique("stopped");
		NamingService observer = NacosFactory.createNamingService(nacos.target().clientProperties());
		Path log = Files.createTempFile("sigterm-provider", ".log");
		Process process = new ProcessBuilder(command(group, service)).redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		try {
			await().atMost(Duration.ofSeconds(90)).until(() -> port(log) > 0 || !process.isAlive());
			int port = port(log);
			assertThat(port).as("started: %s", output(log)).isPositive();
			await().atMost(Duration.ofSeconds(20)).until(() -> listed(observer, service, group, port));

			long signalled = System.nanoTime();
			process.destroy();
			assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
			long exited = System.nanoTime();

			List<String> output = output(log);
			assertThat(process.exitValue()).isEqualTo(143);
			assertThat(output).anyMatch((line) -> line.contains("Deregistered NacosRegistration{" + group + "@@"));
			assertThat(output).noneMatch((line) -> line.contains("did not confirm"));
			assertThat(listed(observer, service, group, port)).isFalse();
			System.out.printf("[figures] SIGTERM -> provider JVM exit %d ms (%s)%n", (exited - signalled) / 1_000_000,
					nacos.target());
		}
		finally {
			process.destroyForcibly();
			observer.shutDown();
			output(log).forEach((line) -> System.out.println("[provider] " + line));
			Files.deleteIfExists(log);
		}
	}

	private static int port(Path log) throws IOException {
		return output(log).stream()
			.filter((line) -> line.startsWith("READY "))
			.mapToInt((line) -> Integer.parseInt(line.substring(6).trim()))
			.findFirst()
			.orElse(-1);
	}

	private static List<String> output(Path log) throws IOException {
		return Files.readAllLines(log, StandardCharsets.UTF_8);
	}

	private static boolean listed(NamingService observer, String service, String group, int port) throws Exception {
		List<Instance> instances = observer.getAllInstances(service, group, false);
		return instances.stream().anyMatch((instance) -> instance.getPort() == port && instance.isEnabled());
	}

	private static List<String> command(String group, String service) {
		List<String> command = new ArrayList<>(TestApps.childJvm(null, Provider.class));
		TestApps.common(nacos.target(), group).forEach((key, value) -> command.add("--" + key + "=" + value));
		command.add("--spring.application.name=" + service);
		command.add("--server.port=0");
		command.add("--spring.main.banner-mode=off");
		return command;
	}

	/**
	 * The provider application in its own JVM; prints {@code READY <port>} when ready.
	 */
	public static final class Provider {

		private Provider() {
		}

		public static void main(String[] args) {
			SpringApplication application = new SpringApplication(TestApps.ProviderApplication.class);
			application.addListeners((ApplicationReadyEvent event) -> System.out
				.println("READY " + event.getApplicationContext().getEnvironment().getProperty("local.server.port")));
			application.run(args);
		}

	}

}
