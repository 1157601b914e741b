package dev.nacosboot.testserver.spring;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTarget;

import org.apache.commons.logging.Log;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The Spring hook of the test server: when {@code nacos.test-server.enabled=true} is set
 * before the application starts (as a test property, a system property or on the command
 * line), starts a {@link NacosTestServer} for the application context and points
 * {@code spring.cloud.nacos.server-addr} at it, early enough for
 * {@code spring.config.import=nacos:...} to use it. With {@code NACOS_SERVER_ADDR} set it
 * points at that external Nacos instead (and its
 * {@code NACOS_USERNAME}/{@code NACOS_PASSWORD}).
 * <p>
 * The server is registered as the bean {@code nacosTestServer} and stops when the context
 * closes; Spring's test context cache therefore keeps one server per cached context.
 */
public class NacosTestServerEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** Property that turns the hook on. */
	public static final String ENABLED = "nacos.test-server.enabled";

	/**
	 * Runs before config data is loaded, so that {@code nacos:} imports see the server
	 * address.
	 */
	public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 5;

	private static final String PROPERTY_SOURCE = "nacosTestServer";

	private final Log logger;

	public NacosTestServerEnvironmentPostProcessor(DeferredLogFactory logFactory) {
		this.logger = logFactory.getLog(NacosTestServerEnvironmentPostProcessor.class);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (!environment.getProperty(ENABLED, Boolean.class, false)
				|| environment.getPropertySources().contains(PROPERTY_SOURCE)) {
			return;
		}
		Map<String, Object> properties = new LinkedHashMap<>();
		String external = NacosTarget.externalServerAddr(System.getenv()).orElse(null);
		if (external != null) {
			properties.put("spring.cloud.nacos.server-addr", external);
			this.logger.info("Using the Nacos server at " + external + " (NACOS_SERVER_ADDR)");
			putIfSet(properties, "spring.cloud.nacos.username", System.getenv("NACOS_USERNAME"));
			putIfSet(properties, "spring.cloud.nacos.password", System.getenv("NACOS_PASSWORD"));
		}
		else {
			NacosTestServer server = NacosTestServer.builder()
				.port(environment.getProperty("nacos.test-server.port", Integer.class, 0))
				.build()
				.start();
			properties.put("spring.cloud.nacos.server-addr", server.serverAddr());
			properties.put("nacos.test-server.server-addr", server.serverAddr());
			this.logger.info("Started an embedded Nacos test server on " + server.serverAddr() + " (gRPC on port "
					+ server.grpcPort() + ")");
			application.addInitializers((context) -> {
				context.getBeanFactory().registerSingleton("nacosTestServer", server);
				context.addApplicationListener((ContextClosedEvent event) -> {
					if (event.getApplicationContext() == context) {
						server.close();
					}
				});
			});
		}
		// Highest precedence: the address of the server started for this context must win
		// over any default.
		environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE, properties));
	}

	private static void putIfSet(Map<String, Object> properties, String name, String value) {
		if (value != null && !value.isBlank()) {
			properties.put(name, value);
		}
	}

}
