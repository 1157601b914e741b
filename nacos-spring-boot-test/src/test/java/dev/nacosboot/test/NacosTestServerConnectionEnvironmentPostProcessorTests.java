package dev.nacosboot.test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import com.alibaba.nacos.api.naming.pojo.Instance;

import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTarget;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.bootstrap.BootstrapRegistry.InstanceSupplier;
import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.test.context.support.TestPropertySourceUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The hook behind {@link NacosTestServerConnection}: a server per application, given as
 * connection details before config data loads, and no server address in the environment.
 */
class NacosTestServerConnectionEnvironmentPostProcessorTests {

	private static final Map<String, String> NO_EXTERNAL_SERVER = Map.of();

	private final DefaultBootstrapContext bootstrapContext = new DefaultBootstrapContext();

	private final StandardEnvironment environment = new StandardEnvironment();

	@Test
	void disabledHookShouldRegisterNothing() {
		postProcess(NO_EXTERNAL_SERVER);
		assertThat(this.bootstrapContext.isRegistered(NacosConnectionDetails.class)).isFalse();
		assertThat(this.bootstrapContext.isRegistered(ApplicationTestServer.class)).isFalse();
	}

	@Test
	void withNacosServerAddrTheHookShouldConnectToThatServerWithItsCredentials() {
		TestPropertySourceUtils.addInlinedPropertiesToEnvironment(this.environment,
				"nacos.test-server.connection.enabled=true", "nacos.test-server.namespace=orders");
		postProcess(
				Map.of("NACOS_SERVER_ADDR", "10.0.0.1:8848", "NACOS_USERNAME", "nacos", "NACOS_PASSWORD", "s3cret"));
		NacosConnectionDetails details = this.bootstrapContext.get(NacosConnectionDetails.class);
		assertThat(details.getServerAddr()).isEqualTo("10.0.0.1:8848");
		assertThat(details.getUsername()).isEqualTo("nacos");
		assertThat(details.getPassword()).isEqualTo("s3cret");
		assertThat(details.getNamespace()).isEqualTo("orders");
		assertThat(this.bootstrapContext.isRegistered(ApplicationTestServer.class)).as("embedded server started")
			.isFalse();
		assertThat(this.environment.containsProperty("spring.cloud.nacos.server-addr")).isFalse();
	}

	@Test
	void theHookShouldStartAnEmbeddedServerAndGiveItAsDetails() {
		TestPropertySourceUtils.addInlinedPropertiesToEnvironment(this.environment,
				"nacos.test-server.connection.enabled=true");
		postProcess(NO_EXTERNAL_SERVER);
		NacosTestServer server = this.bootstrapContext.get(ApplicationTestServer.class).server();
		try {
			assertThat(server.isRunning()).isTrue();
			NacosConnectionDetails details = this.bootstrapContext.get(NacosConnectionDetails.class);
			assertThat(details.getServerAddr()).isEqualTo(server.serverAddr());
			assertThat(details.getUsername()).isNull();
			assertThat(details.getNamespace()).isNull();
			assertThat(this.environment.containsProperty("spring.cloud.nacos.server-addr")).isFalse();
		}
		finally {
			server.close();
		}
	}

	@Test
	void detailsRegisteredBeforeShouldBeKeptAndNoServerStarted() {
		NacosConnectionDetails own = () -> "10.0.0.9:8848";
		this.bootstrapContext.register(NacosConnectionDetails.class, InstanceSupplier.of(own));
		TestPropertySourceUtils.addInlinedPropertiesToEnvironment(this.environment,
				"nacos.test-server.connection.enabled=true");
		postProcess(NO_EXTERNAL_SERVER);
		assertThat(this.bootstrapContext.get(NacosConnectionDetails.class)).isSameAs(own);
		assertThat(this.bootstrapContext.isRegistered(ApplicationTestServer.class)).isFalse();
	}

	@Test
	void startupFailureBeforeTheContextExistsShouldStopTheServer() {
		TestPropertySourceUtils.addInlinedPropertiesToEnvironment(this.environment,
				"nacos.test-server.connection.enabled=true");
		postProcess(NO_EXTERNAL_SERVER);
		NacosTestServer server = this.bootstrapContext.get(ApplicationTestServer.class).server();
		NacosTestServerStartupFailureListener listener = new NacosTestServerStartupFailureListener(
				new SpringApplication(), new String[0]);
		listener.starting(this.bootstrapContext);

		listener.failed(null, new IllegalStateException("a nacos: import failed"));

		assertThat(server.isRunning()).isFalse();
	}

	@Test
	void applicationShouldGetTheServerAsABeanAndTheDetailsAsTheBeanAndStopTheServerOnClose() {
		embeddedOnly();
		ConfigurableApplicationContext context = run(Empty.class, "--nacos.test-server.connection.enabled=true");
		NacosTestServer server = context.getBean(NacosTestServer.class);
		assertThat(context.getBean("nacosTestServer")).isSameAs(server);
		assertThat(server.isRunning()).isTrue();
		assertThat(context.getBean("nacosConnectionDetails", NacosConnectionDetails.class).getServerAddr())
			.isEqualTo(server.serverAddr());
		assertThat(context.getEnvironment().containsProperty("spring.cloud.nacos.server-addr")).isFalse();

		context.close();

		assertThat(server.isRunning()).isFalse();
	}

	@Test
	void closingTheContextShouldDeregisterTheApplicationBeforeTheServerStops() {
		embeddedOnly();
		ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
			.web(WebApplicationType.SERVLET)
			.properties("spring.jmx.enabled=false", "spring.main.banner-mode=off")
			.run("--nacos.test-server.connection.enabled=true", "--server.port=0",
					"--spring.application.name=closing-orders", "--spring.cloud.nacos.discovery.ip=127.0.0.1");
		NacosTestServer server = context.getBean(NacosTestServer.class);
		await().atMost(Duration.ofSeconds(30)).until(() -> server.instances("closing-orders").size() == 1);
		AtomicBoolean runningWhileBeansAreDestroyed = new AtomicBoolean();
		AtomicReference<List<Instance>> instancesWhileBeansAreDestroyed = new AtomicReference<>();
		// Registered after the server, so destroyed before it, as every bean of the
		// application is.
		((DefaultSingletonBeanRegistry) context.getBeanFactory()).registerDisposableBean("probe", () -> {
			runningWhileBeansAreDestroyed.set(server.isRunning());
			instancesWhileBeansAreDestroyed.set(server.instances("closing-orders"));
		});

		context.close();

		assertThat(runningWhileBeansAreDestroyed).isTrue();
		assertThat(instancesWhileBeansAreDestroyed.get()).as("instances after deregistration").isEmpty();
		assertThat(server.isRunning()).isFalse();
	}

	@Test
	void withTheTestServersOwnPropertyHookAlsoOnOneServerShouldStart() {
		embeddedOnly();
		try (ConfigurableApplicationContext context = run(Empty.class, "--nacos.test-server.connection.enabled=true",
				"--nacos.test-server.enabled=true")) {
			NacosTestServer server = context.getBean(NacosTestServer.class);
			assertThat(context.getBean(NacosConnectionDetails.class).getServerAddr()).isEqualTo(server.serverAddr());
			assertThat(context.getEnvironment().containsProperty("spring.cloud.nacos.server-addr")).isFalse();
			assertThat(context.getEnvironment().containsProperty("nacos.test-server.server-addr")).isFalse();
		}
	}

	@Test
	void startupThatFailsOnANacosImportShouldStopTheServer() throws IOException {
		embeddedOnly();
		int port = freeServerPort();
		assertThatException()
			.isThrownBy(() -> run(Application.class, "--nacos.test-server.connection.enabled=true",
					"--nacos.test-server.port=" + port, "--spring.config.import=nacos:missing-data-id.properties",
					"--spring.cloud.nacos.discovery.enabled=false"))
			.withMessageContaining("missing-data-id.properties");
		try (Socket socket = new Socket()) {
			assertThatExceptionOfType(ConnectException.class).as("the server's port after the failed startup")
				.isThrownBy(() -> socket.connect(new InetSocketAddress("127.0.0.1", port), 5000));
		}
	}

	private void postProcess(Map<String, String> systemEnvironment) {
		new NacosTestServerConnectionEnvironmentPostProcessor(LogFactory.getLog(getClass()), this.bootstrapContext,
				systemEnvironment)
			.postProcessEnvironment(this.environment, new SpringApplication());
	}

	private static void embeddedOnly() {
		assumeThat(NacosTarget.externalServerAddr(System.getenv())).as("no external NACOS_SERVER_ADDR").isEmpty();
	}

	/** A port the test server can take (it needs the port + 1000 for gRPC as well). */
	private static int freeServerPort() {
		try (NacosTestServer probe = NacosTestServer.builder().build().start()) {
			return probe.port();
		}
	}

	private static ConfigurableApplicationContext run(Class<?> source, String... args) {
		return new SpringApplicationBuilder(source).web(WebApplicationType.NONE)
			.properties("spring.jmx.enabled=false", "spring.main.banner-mode=off")
			.run(args);
	}

	@Configuration(proxyBeanMethods = false)
	static class Empty {

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Application {

	}

}
