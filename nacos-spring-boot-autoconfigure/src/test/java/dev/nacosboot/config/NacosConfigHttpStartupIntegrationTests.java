package dev.nacosboot.config;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.alibaba.nacos.api.config.ConfigService;
import com.sun.net.httpserver.HttpServer;
import dev.nacosboot.actuate.NacosConnectionMonitor;
import dev.nacosboot.actuate.NacosHealthContributorAutoConfiguration.NacosHealthComponent;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.util.AopTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The startup read over the server's HTTP API: no config client exists before the
 * application is ready, a change published before the listener is registered is not lost,
 * and nacos-client reads where an HTTP read would not give the same result. What happens
 * before ready is seen from an {@code ApplicationRunner} (runners run after the context
 * refreshed, before the application is ready). The application injects the
 * {@code ConfigService} bean into a singleton, which creates no client either. Runs
 * against the embedded test server or, with {@code NACOS_SERVER_ADDR}, a real Nacos;
 * checks of the server's connections need the embedded one.
 */
@ExtendWith(OutputCaptureExtension.class)
class NacosConfigHttpStartupIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static volatile Consumer<ConfigurableApplicationContext> beforeReady = (context) -> {
	};

	private static final String V3_CONFIG = "/nacos/v3/client/cs/config";

	private static String group;

	private static ConfigPublisher publisher;

	@BeforeAll
	static void publish() {
		group = nacos.target().unique("http");
		publisher = new ConfigPublisher(nacos.target());
		publisher.publishReadable("http.properties", group, "http.value=one\n", "properties");
	}

	@AfterAll
	static void cleanUp() throws Exception {
		publisher.close();
	}

	@AfterEach
	void forgetRunner() {
		beforeReady = (context) -> {
		};
	}

	@Test
	void importIsReadOverHttpAndTheConfigClientStartsOnlyOnceTheApplicationIsReady() {
		String dataId = "ready-" + System.nanoTime() + ".properties";
		publisher.publishReadable(dataId, group, "ready.value=one\n", "properties");
		// Connections of earlier tests' applications may still be closing: only new ones
		// count.
		Set<String> connectionsBefore = configConnections();
		long httpReadsBefore = httpConfigReads();
		long grpcReadsBefore = grpcConfigReads(dataId);
		AtomicReference<BeforeReady> seen = new AtomicReference<>();
		AtomicReference<Long> httpReadsBeforeReady = new AtomicReference<>();
		AtomicReference<Long> grpcReadsBeforeReady = new AtomicReference<>();
		beforeReady = (context) -> {
			seen.set(BeforeReady.of(context, dataId));
			httpReadsBeforeReady.set(httpConfigReads());
			grpcReadsBeforeReady.set(grpcConfigReads(dataId));
		};
		try (ConfigurableApplicationContext context = run(
				"--spring.config.import=nacos:" + dataId + "?group=" + group)) {
			BeforeReady before = seen.get();
			assertThat(before.value("ready.value")).isEqualTo("one");
			assertThat(before.clients()).isEmpty();
			assertThat(before.awaitsClients()).isTrue();
			assertThat(before.health().getStatus()).isEqualTo(Status.UP);
			assertThat(before.health().getDetails()).containsEntry("connection",
					NacosConnectionMonitor.State.CONNECTING);
			if (!nacos.target().isExternal()) {
				// Read over HTTP, and no config connection of the application's yet.
				assertThat(httpReadsBeforeReady.get()).isEqualTo(httpReadsBefore + 1);
				assertThat(grpcReadsBeforeReady.get()).isEqualTo(grpcReadsBefore);
				assertThat(before.configConnections()).isSubsetOf(connectionsBefore);
				assertThat(before.listeners()).isEmpty();
			}

			ConfigImportTestSupport.listening(context);

			NacosConfigSources sources = context.getBean(NacosConfigSources.class);
			assertThat(sources.clients()).hasSize(1);
			assertThat(sources.awaitsClients()).isFalse();
			await().atMost(TIMEOUT)
				.until(() -> NacosConnectionMonitor.State.CONNECTED
					.equals(configHealth(context).getDetails().get("connection")));
			if (!nacos.target().isExternal()) {
				Set<String> opened = new HashSet<>(configConnections());
				opened.removeAll(connectionsBefore);
				assertThat(opened).hasSize(1);
				assertThat(nacos.target().server().configListeners(null, group, dataId)).hasSize(1);
			}
			publisher.publish(dataId, group, "ready.value=two\n", "properties");
			await().atMost(TIMEOUT).until(() -> "two".equals(context.getEnvironment().getProperty("ready.value")));
		}
	}

	@Test
	void listenersStartOnlyOnceTheClientStartDelayHasPassed() {
		String dataId = "delay-" + System.nanoTime() + ".properties";
		publisher.publishReadable(dataId, group, "ready.value=one\n", "properties");
		Set<String> connectionsBefore = configConnections();
		try (ConfigurableApplicationContext context = run("--spring.config.import=nacos:" + dataId + "?group=" + group,
				"--spring.cloud.nacos.client-start-delay=5s")) {
			// Ready, and well within the delay: no client, no listener yet.
			NacosConfigSources sources = context.getBean(NacosConfigSources.class);
			assertThat(sources.clients()).isEmpty();
			assertThat(context.getBean(NacosConfigWatcher.class).isListening()).isFalse();
			if (!nacos.target().isExternal()) {
				assertThat(configConnections()).isSubsetOf(connectionsBefore);
				assertThat(nacos.target().server().configListeners(null, group, dataId)).isEmpty();
			}
			// Published while nobody listens: applied when the listener starts.
			publisher.publish(dataId, group, "ready.value=two\n", "properties");
			await().atMost(TIMEOUT).until(() -> "two".equals(context.getEnvironment().getProperty("ready.value")));
			assertThat(sources.clients()).hasSize(1);
		}
	}

	@Test
	void changePublishedBetweenTheStartupReadAndTheListenerIsApplied() {
		String dataId = "window-" + System.nanoTime() + ".properties";
		publisher.publishReadable(dataId, group, "window.value=read-at-startup\nwindow.kept=yes\n", "properties");
		AtomicReference<BeforeReady> seen = new AtomicReference<>();
		beforeReady = (context) -> {
			seen.set(BeforeReady.of(context, dataId));
			publisher.publishReadable(dataId, group, "window.value=published-before-ready\nwindow.kept=yes\n",
					"properties");
		};
		try (ConfigurableApplicationContext context = run(
				"--spring.config.import=nacos:" + dataId + "?group=" + group)) {
			assertThat(seen.get().value("window.value")).isEqualTo("read-at-startup");
			if (!nacos.target().isExternal()) {
				// Nobody listened yet when the change was published.
				assertThat(seen.get().listeners()).isEmpty();
			}

			// The history is written once the change is applied (after the source swap).
			NacosConfigRefreshHistory history = context.getBean(NacosConfigRefreshHistory.class);
			await().atMost(TIMEOUT).until(() -> !history.refreshes().isEmpty());
			// The first refresh (the oldest) is the change made in the window.
			assertThat(history.refreshes()).last()
				.satisfies((refresh) -> assertThat(refresh.changedKeys()).containsExactly("window.value"));
			assertThat(context.getEnvironment().getProperty("window.value")).isEqualTo("published-before-ready");
			assertThat(context.getEnvironment().getProperty("window.kept")).isEqualTo("yes");
		}
	}

	@Test
	void dataIdPublishedBetweenTheStartupReadAndTheListenerIsLoaded() {
		String dataId = "window-new-" + System.nanoTime() + ".properties";
		beforeReady = (context) -> publisher.publishReadable(dataId, group, "window.new=arrived\n", "properties");
		try (ConfigurableApplicationContext context = run(
				"--spring.config.import=optional:nacos:" + dataId + "?group=" + group)) {
			await().atMost(TIMEOUT).until(() -> "arrived".equals(context.getEnvironment().getProperty("window.new")));
		}
	}

	@Test
	void dataIdDeletedBetweenTheStartupReadAndTheListenerIsRemoved() {
		String dataId = "window-gone-" + System.nanoTime() + ".properties";
		publisher.publishReadable(dataId, group, "window.gone=present\n", "properties");
		AtomicReference<String> seen = new AtomicReference<>();
		beforeReady = (context) -> {
			seen.set(context.getEnvironment().getProperty("window.gone"));
			publisher.remove(dataId, group);
			publisher.awaitAbsent(dataId, group);
		};
		try (ConfigurableApplicationContext context = run(
				"--spring.config.import=optional:nacos:" + dataId + "?group=" + group)) {
			assertThat(seen.get()).isEqualTo("present");
			await().atMost(TIMEOUT).until(() -> context.getEnvironment().getProperty("window.gone") == null);
		}
	}

	@Test
	void configServiceBeanUsedBeforeReadyIsCreatedOnDemandAndSharedWithTheImport() {
		AtomicReference<String> read = new AtomicReference<>();
		AtomicReference<Boolean> shared = new AtomicReference<>();
		beforeReady = (context) -> {
			ConfigService bean = context.getBean(ConfigService.class);
			try {
				read.set(bean.getConfig("http.properties", group, 3000));
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
			shared.set(AopTestUtils
				.getTargetObject(bean) == context.getBean(NacosConfigSources.class).all().get(0).configService());
		};
		try (ConfigurableApplicationContext context = run(
				"--spring.config.import=nacos:http.properties?group=" + group)) {
			assertThat(read.get()).isEqualTo("http.value=one\n");
			assertThat(shared.get()).isTrue();
			assertThat(context.getBean(NacosConfigSources.class).awaitsClients()).isFalse();
		}
	}

	@Test
	void serverThatDoesNotAnswerIsSkippedForTheNextOne() throws IOException {
		Set<String> connectionsBefore = configConnections();
		AtomicReference<BeforeReady> seen = new AtomicReference<>();
		beforeReady = (context) -> seen.set(BeforeReady.of(context));
		String servers = "127.0.0.1:" + closedPort() + "," + nacos.target().serverAddr();
		try (ConfigurableApplicationContext context = start(
				withServerAddr(servers, "--spring.config.import=nacos:http.properties?group=" + group))) {
			assertThat(seen.get().value("http.value")).isEqualTo("one");
			assertThat(seen.get().clients()).isEmpty();
			if (!nacos.target().isExternal()) {
				assertThat(seen.get().configConnections()).isSubsetOf(connectionsBefore);
			}
		}
	}

	// ---- where nacos-client reads instead (each checked by a config connection that
	// exists before the application is ready)

	@Test
	void signedRequestsAreMadeByTheClient() {
		BeforeReady before = runAndObserve("--spring.config.import=nacos:http.properties?group=" + group,
				"--spring.cloud.nacos.access-key=test-access-key", "--spring.cloud.nacos.secret-key=test-secret-key");

		assertThat(before.value("http.value")).isEqualTo("one");
		assertThat(before.clients()).hasSize(1);
		assertThat(before.awaitsClients()).isFalse();
	}

	@Test
	void encryptedDataIdIsReadByTheClient() {
		publisher.publishReadable("cipher-plain.properties", group, "cipher.value=plain\n", "properties");

		BeforeReady before = runAndObserve("--spring.config.import=nacos:cipher-plain.properties?group=" + group);

		assertThat(before.value("cipher.value")).isEqualTo("plain");
		assertThat(before.clients()).hasSize(1);
	}

	@Test
	void localFailoverFileIsServedByTheClient() throws IOException {
		publisher.publishReadable("failover.properties", group, "failover.value=from-server\n", "properties");
		// Where nacos-client 3.2 looks for a user-maintained failover file of a fixed
		// server list: its directory is named after the public namespace and the list
		// (a list of several servers adds a hash), and the publisher's client, of the
		// same list, has created it.
		List<Path> environments = fixedServerListEnvironments();
		assertThat(environments).isNotEmpty();
		try {
			for (Path environment : environments) {
				Path file = environment
					.resolve(Path.of("data", "config-data-tenant", "public", group, "failover.properties"));
				Files.createDirectories(file.getParent());
				Files.writeString(file, "failover.value=from-failover-file\n");
			}
			BeforeReady before = runAndObserve("--spring.config.import=nacos:failover.properties?group=" + group);

			assertThat(before.value("failover.value")).isEqualTo("from-failover-file");
			assertThat(before.clients()).hasSize(1);
		}
		finally {
			// Any failover directory makes every import read through the client.
			for (Path environment : environments) {
				delete(environment.resolve("data"));
			}
		}
	}

	/** The client directories of the target's server list in the public namespace. */
	private static List<Path> fixedServerListEnvironments() throws IOException {
		String serverAddr = nacos.target().serverAddr();
		String single = "Config-fixed-public-" + serverAddr.replace(':', '_') + "_nacos";
		String firstOfList = "Config-fixed-public-" + serverAddr.split(",")[0].replace(':', '_') + "-";
		Path root = Path.of(System.getProperty("JM.SNAPSHOT.PATH"), "nacos", "config");
		try (Stream<Path> directories = Files.list(root)) {
			return directories.filter((directory) -> {
				String name = directory.getFileName().toString();
				return serverAddr.contains(",") ? name.startsWith(firstOfList) && name.endsWith("_nacos")
						: name.equals(single);
			}).toList();
		}
	}

	@Test
	void addressServerIsAskedByTheClient() throws IOException {
		String serverAddr = nacos.target().serverAddr();
		AtomicInteger asked = new AtomicInteger();
		HttpServer addressServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
		addressServer.createContext("/nacos/serverlist", (exchange) -> {
			asked.incrementAndGet();
			byte[] body = (serverAddr + "\n").getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(200, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		addressServer.start();
		try {
			List<String> args = new ArrayList<>(List.of(ConfigImportTestSupport.args(nacos.target(),
					"--spring.config.import=nacos:http.properties?group=" + group,
					"--spring.cloud.nacos.endpoint=127.0.0.1",
					"--spring.cloud.nacos.client.endpointPort=" + addressServer.getAddress().getPort())));
			args.removeIf((arg) -> arg.startsWith("--spring.cloud.nacos.server-addr="));
			BeforeReady before = observe(args.toArray(String[]::new));

			assertThat(before.value("http.value")).isEqualTo("one");
			assertThat(before.clients()).hasSize(1);
			assertThat(asked).hasPositiveValue();
		}
		finally {
			addressServer.stop(0);
		}
	}

	@Test
	void tlsAppliesToTheClientsReadOnly(CapturedOutput output) {
		// nacos-client's TLS is for its gRPC connection: against this plain-text server
		// the client cannot connect, so the optional import starts without the data id
		// (never read before, so without a snapshot). Over HTTP it would have been read.
		String dataId = "tls-" + System.nanoTime() + ".properties";
		// Published, not read: a read by a client of this JVM would leave a snapshot.
		publisher.publish(dataId, group, "http.value=over-http\n", "properties");
		try (ConfigurableApplicationContext context = run(
				"--spring.config.import=optional:nacos:" + dataId + "?group=" + group,
				"--spring.cloud.nacos.tls.enabled=true", "--spring.cloud.nacos.tls.trust-all=true",
				"--spring.cloud.nacos.server-check-timeout=500ms")) {
			assertThat(context.getEnvironment().getProperty("http.value")).isNull();
			assertThat(output).contains("is unreachable: starting without Nacos config '" + dataId + "'");
		}
	}

	private static BeforeReady runAndObserve(String... args) {
		return observe(ConfigImportTestSupport.args(nacos.target(), args));
	}

	private static BeforeReady observe(String[] allArgs) {
		AtomicReference<BeforeReady> seen = new AtomicReference<>();
		beforeReady = (context) -> seen.set(BeforeReady.of(context));
		start(allArgs).close();
		return seen.get();
	}

	private static ConfigurableApplicationContext run(String... args) {
		return start(ConfigImportTestSupport.args(nacos.target(), args));
	}

	private static ConfigurableApplicationContext start(String[] allArgs) {
		return new SpringApplicationBuilder(TestApplication.class).web(WebApplicationType.NONE).run(allArgs);
	}

	private static String[] withServerAddr(String serverAddr, String... args) {
		List<String> all = new ArrayList<>(List.of(ConfigImportTestSupport.args(nacos.target(), args)));
		all.removeIf((arg) -> arg.startsWith("--spring.cloud.nacos.server-addr="));
		all.add(0, "--spring.cloud.nacos.server-addr=" + serverAddr);
		return all.toArray(String[]::new);
	}

	private static long httpConfigReads() {
		return nacos.target().isExternal() ? -1 : nacos.target().server().httpRequestCount(V3_CONFIG);
	}

	private static long grpcConfigReads(String dataId) {
		return nacos.target().isExternal() ? -1 : nacos.target().server().configQueryCount(null, group, dataId);
	}

	/** Ids of the config connections of the embedded server. */
	private static Set<String> configConnections() {
		if (nacos.target().isExternal()) {
			return Set.of();
		}
		return nacos.target()
			.server()
			.connections()
			.stream()
			.filter((connection) -> "config".equals(connection.module()))
			.map(NacosTestServer.ClientConnection::id)
			.collect(Collectors.toSet());
	}

	private static Health configHealth(ConfigurableApplicationContext context) {
		return context.getBeansOfType(NacosHealthComponent.class)
			.values()
			.stream()
			.filter((component) -> component.name().equals("config"))
			.findFirst()
			.orElseThrow()
			.indicator()
			.health();
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static void delete(Path directory) throws IOException {
		if (Files.exists(directory)) {
			try (Stream<Path> files = Files.walk(directory)) {
				for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
					Files.delete(path);
				}
			}
		}
	}

	/**
	 * What an application showed before it was ready.
	 */
	record BeforeReady(Map<String, @Nullable String> values, List<ConfigService> clients, boolean awaitsClients,
			Health health, Set<String> configConnections, List<String> listeners) {

		static BeforeReady of(ConfigurableApplicationContext context) {
			return of(context, "http.properties");
		}

		static BeforeReady of(ConfigurableApplicationContext context, String dataId) {
			NacosConfigSources sources = context.getBean(NacosConfigSources.class);
			java.util.HashMap<String, @Nullable String> values = new java.util.HashMap<>();
			for (String key : List.of("http.value", "ready.value", "window.value", "cipher.value", "failover.value")) {
				values.put(key, context.getEnvironment().getProperty(key));
			}
			return new BeforeReady(values, sources.clients(), sources.awaitsClients(), configHealth(context),
					NacosConfigHttpStartupIntegrationTests.configConnections(), nacos.target().isExternal() ? List.of()
							: nacos.target().server().configListeners(null, group, dataId));
		}

		@Nullable String value(String key) {
			return this.values.get(key);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		ApplicationRunner beforeReadyObserver(ConfigurableApplicationContext context) {
			return (args) -> beforeReady.accept(context);
		}

		// As an application that publishes config injects the client: injecting it must
		// not create it.
		@Bean
		ConfigServiceUser configServiceUser(ConfigService configService) {
			return new ConfigServiceUser(configService);
		}

	}

	record ConfigServiceUser(ConfigService configService) {

	}

}
