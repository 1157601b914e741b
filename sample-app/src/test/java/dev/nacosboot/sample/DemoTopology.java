package dev.nacosboot.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.ConfigType;
import com.alibaba.nacos.api.exception.NacosException;
import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.test.NacosTestServerConnectionDetails;
import dev.nacosboot.test.NacosTestServerConnectionInitializer;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTarget;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.SimpleCommandLinePropertySource;

/**
 * The demo topology in one JVM: a Nacos (the embedded test server, or the one named by
 * {@code NACOS_SERVER_ADDR}) with the sample's config data ids seeded, greeting-service
 * v1 and v2, and the consumer; each an application context of its own with its own Nacos
 * clients, as if they were separate processes. The contexts reach the embedded server
 * through its connection details ({@code nacos-spring-boot-test}), an external Nacos
 * through {@code application.yml} as a deployed application does.
 * <p>
 * Options (command-line style, also passed on to every context): {@code --server.port}
 * (the consumer, 8090), {@code --demo.v1-port} (8091), {@code --demo.v2-port} (8092),
 * {@code --nacos.test-server.port} (the embedded server's, 0: any free port),
 * {@code --spring.cloud.nacos.namespace} (also where the seeds go) and
 * {@code --demo.remove-configs-on-close} (an external Nacos: remove the sample's data ids
 * again; tests). Port 0 picks a free port.
 */
public final class DemoTopology implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(DemoTopology.class);

	/**
	 * Data ids published at start when they do not exist yet, from {@code seed/} on the
	 * class path.
	 */
	static final Map<String, String> SEEDS = seeds("greeting-consumer.yaml", "greeting-routing.yaml");

	private static final String GROUP = "DEFAULT_GROUP";

	private final @Nullable NacosTestServer server;

	private final String serverAddr;

	private final ConfigurableApplicationContext providerV1;

	private final ConfigurableApplicationContext providerV2;

	private final ConfigurableApplicationContext consumer;

	private final Runnable serverShutdownHandler = this::stopServer;

	private boolean removeConfigsOnClose;

	private String namespace = "";

	private DemoTopology(@Nullable NacosTestServer server, String serverAddr, ConfigurableApplicationContext providerV1,
			ConfigurableApplicationContext providerV2, ConfigurableApplicationContext consumer) {
		this.server = server;
		this.serverAddr = serverAddr;
		this.providerV1 = providerV1;
		this.providerV2 = providerV2;
		this.consumer = consumer;
	}

	/**
	 * Starts the topology; it stops with the JVM or {@link #close()}.
	 * @param args options (above) and anything else for every application context
	 * @return the running topology
	 */
	public static DemoTopology start(String... args) {
		SimpleCommandLinePropertySource options = new SimpleCommandLinePropertySource(args);
		String namespace = option(options, "spring.cloud.nacos.namespace", "");
		String external = NacosTarget.externalServerAddr(System.getenv()).orElse(null);
		NacosTestServer server = null;
		String serverAddr;
		if (external != null) {
			serverAddr = external;
			seedExternal(external, namespace, false);
		}
		else {
			NacosTestServer.Builder builder = NacosTestServer.builder()
				.port(Integer.parseInt(option(options, "nacos.test-server.port", "0")));
			SEEDS.forEach(
					(dataId, content) -> builder.config(namespace, GROUP, dataId, content, ConfigType.YAML.getType()));
			server = builder.build().start();
			serverAddr = server.serverAddr();
		}
		// The embedded server is given to every context as its connection details; an
		// external one is found as a user's application finds it, through
		// application.yml.
		NacosConnectionDetails embedded = (server != null)
				? NacosTestServerConnectionDetails.of(server).withNamespace(namespace) : null;
		List<ConfigurableApplicationContext> started = new ArrayList<>();
		try {
			String[] common = common(args);
			ConfigurableApplicationContext v1 = run(started, embedded, "provider", common,
					"--server.port=" + option(options, "demo.v1-port", "8091"), "--sample.version=v1");
			ConfigurableApplicationContext v2 = run(started, embedded, "provider", common,
					"--server.port=" + option(options, "demo.v2-port", "8092"), "--sample.version=v2");
			String consumerPort = options.getProperty("server.port");
			ConfigurableApplicationContext consumer = run(started, embedded, "consumer", common,
					(consumerPort != null) ? new String[] { "--server.port=" + consumerPort } : new String[0]);
			DemoTopology topology = new DemoTopology(server, serverAddr, v1, v2, consumer);
			topology.removeConfigsOnClose = (external != null)
					&& Boolean.parseBoolean(option(options, "demo.remove-configs-on-close", "false"));
			topology.namespace = namespace;
			// Spring Boot runs its shutdown handlers after closing the contexts: they
			// deregister first.
			SpringApplication.getShutdownHandlers().add(topology.serverShutdownHandler);
			logger
				.info("Sample ready: page http://localhost:" + port(consumer) + "/ ; greeting-service v1 on " + port(v1)
						+ ", v2 on " + port(v2) + "; Nacos " + ((server != null) ? "(embedded) " : "") + serverAddr);
			return topology;
		}
		catch (RuntimeException ex) {
			started.forEach(ConfigurableApplicationContext::close);
			if (server != null) {
				server.close();
			}
			throw ex;
		}
	}

	private static ConfigurableApplicationContext run(List<ConfigurableApplicationContext> started,
			@Nullable NacosConnectionDetails embedded, String profile, String[] common, String... own) {
		String[] args = new String[common.length + own.length];
		System.arraycopy(common, 0, args, 0, common.length);
		System.arraycopy(own, 0, args, common.length, own.length);
		SpringApplicationBuilder application = new SpringApplicationBuilder(SampleApplication.class)
			.main(SampleApplication.class)
			.profiles(profile)
			.bannerMode("consumer".equals(profile) ? Banner.Mode.CONSOLE : Banner.Mode.OFF);
		if (embedded != null) {
			application.addBootstrapRegistryInitializer(NacosTestServerConnectionInitializer.of(embedded));
		}
		ConfigurableApplicationContext context = application.run(args);
		started.add(context);
		return context;
	}

	private static String[] common(String[] args) {
		List<String> result = new ArrayList<>();
		for (String arg : args) {
			// Each role gets its own port; a repeated option would be read as a list
			// ("0,8091").
			if (!arg.startsWith("--server.port=") && !arg.startsWith("--demo.")) {
				result.add(arg);
			}
		}
		return result.toArray(String[]::new);
	}

	private static String option(SimpleCommandLinePropertySource options, String name, String defaultValue) {
		String value = options.getProperty(name);
		return (value != null) ? value : defaultValue;
	}

	private static int port(ConfigurableApplicationContext context) {
		return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	/**
	 * Publishes the seeds that do not exist yet to an external Nacos, or removes the
	 * sample's data ids from it.
	 */
	private static void seedExternal(String serverAddr, String namespace, boolean remove) {
		Properties properties = new Properties();
		properties.setProperty(PropertyKeyConst.SERVER_ADDR, serverAddr);
		putIfSet(properties, PropertyKeyConst.NAMESPACE, namespace);
		putIfSet(properties, PropertyKeyConst.USERNAME, System.getenv("NACOS_USERNAME"));
		putIfSet(properties, PropertyKeyConst.PASSWORD, System.getenv("NACOS_PASSWORD"));
		ConfigService configService = null;
		try {
			configService = NacosFactory.createConfigService(properties);
			for (Map.Entry<String, String> seed : SEEDS.entrySet()) {
				if (remove) {
					configService.removeConfig(seed.getKey(), GROUP);
					continue;
				}
				// Never overwrite what a user has changed on a real server.
				if (configService.getConfig(seed.getKey(), GROUP, 3000) == null) {
					configService.publishConfig(seed.getKey(), GROUP, seed.getValue(), ConfigType.YAML.getType());
					logger.info("Published the seed config " + seed.getKey() + " to " + serverAddr);
				}
			}
		}
		catch (NacosException ex) {
			throw new IllegalStateException("Cannot seed the sample's configs into the Nacos at " + serverAddr, ex);
		}
		finally {
			if (configService != null) {
				try {
					configService.shutDown();
				}
				catch (NacosException ex) {
					logger.debug("Closing the seeding config client failed", ex);
				}
			}
		}
	}

	private static void putIfSet(Properties properties, String key, @Nullable String value) {
		if (value != null && !value.isBlank()) {
			properties.setProperty(key, value);
		}
	}

	private static Map<String, String> seeds(String... dataIds) {
		Map<String, String> seeds = new LinkedHashMap<>();
		for (String dataId : dataIds) {
			try (InputStream in = DemoTopology.class.getResourceAsStream("/seed/" + dataId)) {
				if (in == null) {
					throw new IllegalStateException("Missing seed/" + dataId + " on the class path");
				}
				seeds.put(dataId, new String(in.readAllBytes(), StandardCharsets.UTF_8));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return seeds;
	}

	/**
	 * Arguments for a test: free ports, and a namespace of its own (removed data ids at
	 * the end) so that a run against an external Nacos ({@code NACOS_SERVER_ADDR}) starts
	 * from the seeds and leaves nothing behind.
	 * @return the arguments
	 */
	static String[] testArguments() {
		return new String[] { "--server.port=0", "--demo.v1-port=0", "--demo.v2-port=0",
				"--spring.cloud.nacos.namespace=sample-test-" + UUID.randomUUID(),
				"--demo.remove-configs-on-close=true" };
	}

	/** The embedded server, or {@code null} when an external Nacos is used. */
	@Nullable NacosTestServer server() {
		return this.server;
	}

	String serverAddr() {
		return this.serverAddr;
	}

	ConfigurableApplicationContext providerV1() {
		return this.providerV1;
	}

	ConfigurableApplicationContext providerV2() {
		return this.providerV2;
	}

	ConfigurableApplicationContext consumer() {
		return this.consumer;
	}

	int consumerPort() {
		return port(this.consumer);
	}

	int providerPort(ConfigurableApplicationContext provider) {
		return port(provider);
	}

	@Override
	public void close() {
		this.consumer.close();
		this.providerV2.close();
		this.providerV1.close();
		SpringApplication.getShutdownHandlers().remove(this.serverShutdownHandler);
		stopServer();
		if (this.removeConfigsOnClose) {
			seedExternal(this.serverAddr, this.namespace, true);
		}
	}

	private void stopServer() {
		if (this.server != null) {
			this.server.close();
		}
	}

}
