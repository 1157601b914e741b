package dev.nacosboot.testserver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The server run on its own, as {@code java -jar} runs it.
 */
class NacosTestServerMainTests {

	@Test
	void runsOnItsOwnPrintsOneReadyLineServesAClientAndStopsOnSigterm(@TempDir Path dir) throws Exception {
		Path seeded = Files.writeString(dir.resolve("app.yaml"), "greeting: seeded\n");
		Path stdout = dir.resolve("stdout.txt");
		Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), NacosTestServerMain.class.getName(), "--port=0",
				"--user=nacos:pw", "--config=APPS/app.yaml=" + seeded)
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.redirectOutput(stdout.toFile())
			.start();
		try {
			await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(stdout).endsWith("\n"));
			String ready = Files.readString(stdout).strip();
			assertThat(ready).matches("nacos-test-server ready on 127\\.0\\.0\\.1:\\d+");
			String serverAddr = ready.substring(ready.lastIndexOf(' ') + 1);

			Properties properties = new Properties();
			properties.setProperty(PropertyKeyConst.SERVER_ADDR, serverAddr);
			properties.setProperty(PropertyKeyConst.USERNAME, "nacos");
			properties.setProperty(PropertyKeyConst.PASSWORD, "pw");
			ConfigService config = NacosFactory.createConfigService(properties);
			try {
				assertThat(config.getConfig("app.yaml", "APPS", 3000)).isEqualTo("greeting: seeded\n");
			}
			finally {
				config.shutDown();
			}

			process.destroy();
			assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
			assertThat(Files.readAllLines(stdout)).as("nothing but the ready line on stdout").containsExactly(ready);
		}
		finally {
			process.destroyForcibly();
		}
	}

	@Test
	void configDirectorySeedsOneConfigPerFileWithGroupFromTheFolder(@TempDir Path dir) throws Exception {
		Files.createDirectories(dir.resolve("CANARY"));
		Files.writeString(dir.resolve("CANARY").resolve("rules.yaml"), "v2: 10\n");
		Files.writeString(dir.resolve("app.properties"), "a=1\n");
		try (NacosTestServer server = NacosTestServerMain.parse(new String[] { "--port=0", "--config-dir=" + dir })
			.build()
			.start()) {
			assertThat(server.config(null, "CANARY", "rules.yaml")).contains("v2: 10\n");
			assertThat(server.config(null, "DEFAULT_GROUP", "app.properties")).contains("a=1\n");
		}
	}

	@Test
	void badArgumentsAreNamed() {
		assertThatIllegalArgumentException().isThrownBy(() -> NacosTestServerMain.parse(new String[] { "--port=abc" }))
			.withMessage("--port must be a number, was 'abc'");
		assertThatIllegalArgumentException().isThrownBy(() -> NacosTestServerMain.parse(new String[] { "--prot=1" }))
			.withMessage("unknown option '--prot'");
		assertThatIllegalArgumentException().isThrownBy(() -> NacosTestServerMain.parse(new String[] { "--user=x" }))
			.withMessage("--user must be NAME:PASSWORD, was 'x'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NacosTestServerMain.parse(new String[] { "--port=65000" }))
			.withMessageContaining("gRPC listens on port + 1000");
		assertThat(NacosTestServerMain.parse(new String[] { "--help" })).isNull();
	}

	@Test
	void delayedPushesStillDeliverEveryChange() throws Exception {
		try (NacosTestServer server = NacosTestServerMain.parse(new String[] { "--port=0", "--push-delay=300" })
			.build()
			.start()) {
			Properties properties = new Properties();
			properties.setProperty(PropertyKeyConst.SERVER_ADDR, server.serverAddr());
			NamingService consumer = NacosFactory.createNamingService(properties);
			List<NamingService> providers = new ArrayList<>();
			try {
				List<Integer> sizes = new CopyOnWriteArrayList<>();
				consumer.subscribe("delayed", (event) -> sizes.add(((NamingEvent) event).getInstances().size()));
				for (int i = 1; i <= 3; i++) {
					NamingService provider = NacosFactory.createNamingService(properties);
					providers.add(provider);
					provider.registerInstance("delayed", NamingIntegrationTests.instance("10.6.1." + i, 80, Map.of()));
				}
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(sizes).isNotEmpty().last().isEqualTo(3));
			}
			finally {
				for (NamingService provider : providers) {
					provider.shutDown();
				}
				consumer.shutDown();
			}
		}
	}

	@Test
	void restartKeepsThePorts() {
		try (NacosTestServer server = NacosTestServer.builder().build().start()) {
			int port = server.port();
			server.restart();
			assertThat(server.port()).isEqualTo(port);
			await().atMost(Duration.ofSeconds(5)).until(server::isRunning);
		}
	}

}
