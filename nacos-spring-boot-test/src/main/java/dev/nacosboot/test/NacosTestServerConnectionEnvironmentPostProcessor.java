package dev.nacosboot.test;

import java.util.Map;

import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testserver.spring.NacosTestServerEnvironmentPostProcessor;
import org.apache.commons.logging.Log;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.bootstrap.BootstrapRegistry.InstanceSupplier;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The Spring hook of {@link NacosTestServerConnection}: when
 * {@code nacos.test-server.connection.enabled=true} is set before the application starts
 * (a test property, a system property or a command-line argument), starts an embedded
 * {@link NacosTestServer} for the application, or takes the external Nacos of
 * {@code NACOS_SERVER_ADDR} (with {@code NACOS_USERNAME} / {@code NACOS_PASSWORD}), and
 * registers it as {@link NacosConnectionDetails} in the bootstrap registry, before config
 * data loads, so that {@code spring.config.import=nacos:...} and every client of the
 * starter use it. It sets no {@code spring.cloud.nacos.*} property.
 * <p>
 * Runs before nacos-test-server's own property hook and switches it off for the
 * application, so that one server starts per application context.
 */
final class NacosTestServerConnectionEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** Property that turns the hook on. */
	static final String ENABLED = "nacos.test-server.connection.enabled";

	/** Property naming the namespace of the connection (public when unset). */
	static final String NAMESPACE = "nacos.test-server.namespace";

	/** Property naming the embedded server's port (0, the default: a free one). */
	static final String PORT = "nacos.test-server.port";

	/** Before nacos-test-server's property hook, and so before config data loads. */
	static final int ORDER = NacosTestServerEnvironmentPostProcessor.ORDER - 1;

	private static final String PROPERTY_SOURCE = "nacosTestServerConnection";

	private final Log logger;

	private final ConfigurableBootstrapContext bootstrapContext;

	private final Map<String, String> systemEnvironment;

	public NacosTestServerConnectionEnvironmentPostProcessor(DeferredLogFactory logFactory,
			ConfigurableBootstrapContext bootstrapContext) {
		this(logFactory.getLog(NacosTestServerConnectionEnvironmentPostProcessor.class), bootstrapContext,
				System.getenv());
	}

	NacosTestServerConnectionEnvironmentPostProcessor(Log logger, ConfigurableBootstrapContext bootstrapContext,
			Map<String, String> systemEnvironment) {
		this.logger = logger;
		this.bootstrapContext = bootstrapContext;
		this.systemEnvironment = systemEnvironment;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (!environment.getProperty(ENABLED, Boolean.class, false)) {
			return;
		}
		if (this.bootstrapContext.isRegistered(NacosConnectionDetails.class)) {
			// An initializer gave the application its connection: keep it.
			this.logger.info("Nacos connection details are registered already; " + ENABLED + " starts no server");
			return;
		}
		String namespace = environment.getProperty(NAMESPACE);
		NacosTestServerConnectionDetails details = NacosTestServerConnectionDetails.external(this.systemEnvironment)
			.orElse(null);
		if (details != null) {
			this.logger.info("Nacos clients connect to the Nacos at " + details.getServerAddr() + " ("
					+ NacosTarget.SERVER_ADDR_ENV + ")");
		}
		else {
			NacosTestServer server = NacosTestServer.builder()
				.port(environment.getProperty(PORT, Integer.class, 0))
				.build()
				.start();
			ApplicationTestServer owned = new ApplicationTestServer(server);
			this.bootstrapContext.register(ApplicationTestServer.class, InstanceSupplier.of(owned));
			this.bootstrapContext.addCloseListener(owned::handOver);
			details = NacosTestServerConnectionDetails.of(server);
			this.logger.info("Started an embedded Nacos test server on " + server.serverAddr() + " (gRPC on port "
					+ server.grpcPort() + ") for the application's Nacos clients");
		}
		NacosTestServerConnectionInitializer.register(this.bootstrapContext, details.withNamespace(namespace));
		if (environment.getProperty(NacosTestServerEnvironmentPostProcessor.ENABLED, Boolean.class, false)) {
			// One server per application: this hook has started it.
			environment.getPropertySources()
				.addFirst(new MapPropertySource(PROPERTY_SOURCE,
						Map.of(NacosTestServerEnvironmentPostProcessor.ENABLED, "false")));
		}
	}

}
