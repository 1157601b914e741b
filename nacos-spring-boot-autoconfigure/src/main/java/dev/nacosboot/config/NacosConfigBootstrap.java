package dev.nacosboot.config;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.core.NacosClientPropertiesFactory;
import dev.nacosboot.core.NacosClients;
import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.core.NacosProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.bootstrap.BootstrapContext;
import org.springframework.boot.bootstrap.BootstrapRegistry.InstanceSupplier;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the {@code nacos:} imports of one application share before its context exists: the
 * settings, the client owner and the loaded sources. Lives in the
 * {@code BootstrapContext}; when the context is prepared, the client owner and the
 * sources become beans, so the context closes the clients and its watcher listens to the
 * sources.
 */
final class NacosConfigBootstrap {

	/** The bean name spring-cloud-context gives the bootstrap context. */
	private static final String BOOTSTRAP_CONTEXT_BEAN = "bootstrapContext";

	private final NacosProperties shared;

	private final NacosConnectionDetails connection;

	private final NacosConfigProperties config;

	private final NacosClients clients;

	private final NacosConfigSources sources = new NacosConfigSources();

	private final Map<ConfigService, Boolean> reachable = new ConcurrentHashMap<>();

	private @Nullable String clientOnlyReason;

	private @Nullable NacosConfigHttpReader httpReader;

	/**
	 * The application's context, once it exists: imports are then re-runs of a refresh.
	 */
	private volatile @Nullable ConfigurableApplicationContext applicationContext;

	private NacosConfigBootstrap(NacosProperties shared, NacosConnectionDetails connection,
			NacosConfigProperties config, NacosClients clients) {
		this.shared = shared;
		this.connection = connection;
		this.config = config;
		this.clients = clients;
	}

	/**
	 * The instance of a bootstrap context, registered on first use.
	 * @param context the bootstrap context
	 * @param binder binds the settings
	 * @return the shared instance
	 */
	static NacosConfigBootstrap get(ConfigurableBootstrapContext context, Binder binder) {
		if (!context.isRegistered(NacosConfigBootstrap.class)) {
			context.registerIfAbsent(NacosClients.class, InstanceSupplier.from(NacosClients::new));
			// Connection details registered by a BootstrapRegistryInitializer win over
			// the properties, as a NacosConnectionDetails bean does for the other
			// clients (NacosConnectionDetailsBootstrapPromotion makes them that bean).
			NacosConnectionDetails connection = context.isRegistered(NacosConnectionDetails.class)
					? context.get(NacosConnectionDetails.class) : NacosConnectionDetails.fromProperties(binder);
			NacosConfigBootstrap bootstrap = new NacosConfigBootstrap(
					binder.bindOrCreate(NacosProperties.PREFIX, NacosProperties.class), connection,
					binder.bindOrCreate(NacosConfigProperties.PREFIX, Bindable.of(NacosConfigProperties.class),
							new ValidationBindHandler(new NacosConfigProperties())),
					context.get(NacosClients.class));
			context.register(NacosConfigBootstrap.class, InstanceSupplier.of(bootstrap));
			context.addCloseListener((event) -> event.getBootstrapContext()
				.get(NacosConfigBootstrap.class)
				.promote(event.getBootstrapContext(), event.getApplicationContext()));
		}
		return context.get(NacosConfigBootstrap.class);
	}

	NacosConfigProperties config() {
		return this.config;
	}

	NacosConfigSources sources() {
		return this.sources;
	}

	/**
	 * The namespace of the imports that name none: the configured one of the connection
	 * details ({@code spring.cloud.nacos.config.namespace}, else
	 * {@code spring.cloud.nacos.namespace}).
	 * @return the namespace, {@code null} for the public one
	 */
	@Nullable String defaultNamespace() {
		return normalizedNamespace(this.connection.forConfig().getNamespace());
	}

	/**
	 * The config client of a namespace, created now if it does not exist.
	 * @param namespace the namespace of a data id, or {@code null} for the public one
	 * @return the shared client
	 */
	ConfigService configService(@Nullable String namespace) {
		return this.clients.configService(clientProperties(namespace));
	}

	/**
	 * The config client of a namespace as it is needed: created on first use, through the
	 * client owner that becomes the context's, so that the {@code ConfigService} bean and
	 * the imports share it.
	 * @param namespace the namespace of a data id, or {@code null} for the public one
	 * @return where the client comes from
	 */
	NacosConfigSources.ClientSource clientSource(@Nullable String namespace) {
		Properties properties = clientProperties(namespace);
		NacosClients clients = this.clients;
		return new NacosConfigSources.ClientSource() {

			@Override
			public ConfigService get() {
				return clients.configService(properties);
			}

			@Override
			public @Nullable ConfigService ifCreated() {
				return clients.configServiceIfCreated(properties);
			}

		};
	}

	private Properties clientProperties(@Nullable String namespace) {
		// An import can name the public namespace while another one is configured.
		String effective = (namespace == null && defaultNamespace() != null) ? "public" : namespace;
		return clientProperties(this.connection, this.shared, this.config, effective);
	}

	/**
	 * Why the imports must be read by nacos-client (over gRPC) rather than over HTTP, or
	 * {@code null} when an HTTP read gives what the client's read would. Checked once.
	 * @return the reason, for logs
	 */
	synchronized @Nullable String clientOnlyReason() {
		if (this.clientOnlyReason == null) {
			String reason = ClientEnvironment.clientOnlyReason(clientProperties(null),
					Thread.currentThread().getContextClassLoader());
			this.clientOnlyReason = (reason != null) ? reason : "";
		}
		return this.clientOnlyReason.isEmpty() ? null : this.clientOnlyReason;
	}

	/**
	 * The reader of the imports over the server's HTTP API, for startup.
	 * @return the shared reader
	 */
	synchronized NacosConfigHttpReader httpReader() {
		if (this.httpReader == null) {
			this.httpReader = NacosConfigHttpReader.of(clientProperties(null), this.config.getTimeout());
		}
		return this.httpReader;
	}

	/**
	 * The properties of a config client; the one place they are made, so that the
	 * import's client and the {@code ConfigService} bean are one client.
	 * @param connection where and how to connect
	 * @param shared the shared client settings
	 * @param config the config settings (Spring Cloud Alibaba's client pass-throughs)
	 * @param namespace the namespace of an import, or {@code null} for the configured one
	 * @return the client properties
	 */
	static Properties clientProperties(NacosConnectionDetails connection, NacosProperties shared,
			NacosConfigProperties config, @Nullable String namespace) {
		Properties properties = NacosClientPropertiesFactory.create(connection.forConfig(), shared);
		if (namespace != null) {
			properties.setProperty(PropertyKeyConst.NAMESPACE, namespace);
		}
		// Spring Cloud Alibaba passes these to the config client as they are.
		putIfSet(properties, PropertyKeyConst.ENCODE, config.getEncode());
		putIfSet(properties, PropertyKeyConst.MAX_RETRY, config.getMaxRetry());
		putIfSet(properties, PropertyKeyConst.CLUSTER_NAME, config.getClusterName());
		putIfSet(properties, PropertyKeyConst.RAM_ROLE_NAME, config.getRamRoleName());
		if (config.isEnableRemoteSyncConfig()) {
			properties.setProperty(PropertyKeyConst.ENABLE_REMOTE_SYNC_CONFIG, "true");
		}
		return properties;
	}

	private static void putIfSet(Properties properties, String key, @Nullable Object value) {
		if (value != null && !value.toString().isBlank()) {
			properties.setProperty(key, value.toString().trim());
		}
	}

	private static @Nullable String normalizedNamespace(@Nullable String namespace) {
		return (namespace == null || namespace.isBlank() || "public".equals(namespace.trim())) ? null
				: namespace.trim();
	}

	/**
	 * Whether the client reached its server; asked once per client, so that startup waits
	 * at most once.
	 */
	boolean isReachable(ConfigService service) {
		return this.reachable.computeIfAbsent(service, (key) -> "UP".equals(key.getServerStatus()));
	}

	String describeServer() {
		return NacosClientPropertiesFactory.describeServer(this.connection.forConfig());
	}

	/** Closes the clients when startup fails before the context took them over. */
	void closeClients() {
		this.clients.close();
	}

	/**
	 * The application's context once startup has handed the clients over to it;
	 * {@code null} while config data loads at startup. Config data that loads after that
	 * is Spring Cloud's refresh running the imports again.
	 */
	@Nullable ConfigurableApplicationContext applicationContext() {
		return this.applicationContext;
	}

	private void promote(BootstrapContext bootstrapContext, ConfigurableApplicationContext applicationContext) {
		ConfigurableListableBeanFactory beanFactory = applicationContext.getBeanFactory();
		NacosClients.registerAsBean(beanFactory, this.clients);
		if (!beanFactory.containsSingleton(NacosConfigSources.BEAN_NAME)) {
			beanFactory.registerSingleton(NacosConfigSources.BEAN_NAME, this.sources);
		}
		// Spring Cloud's refresh runs the imports again with the bootstrap context it
		// finds
		// as a bean (spring-cloud-context registers it), else with a new, empty one that
		// would open clients of its own: make sure it finds this one.
		if (bootstrapContext instanceof ConfigurableBootstrapContext configurable
				&& beanFactory.getBeanNamesForType(ConfigurableBootstrapContext.class, false, false).length == 0
				&& !beanFactory.containsSingleton(BOOTSTRAP_CONTEXT_BEAN)) {
			beanFactory.registerSingleton(BOOTSTRAP_CONTEXT_BEAN, configurable);
		}
		this.applicationContext = applicationContext;
	}

}
