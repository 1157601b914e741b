package dev.nacosboot.config;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.core.NacosClientPropertiesFactory;
import dev.nacosboot.core.NacosClients;
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

	private final NacosConfigProperties config;

	private final NacosClients clients;

	private final NacosConfigSources sources = new NacosConfigSources();

	private final Map<ConfigService, Boolean> reachable = new ConcurrentHashMap<>();

	/**
	 * The application's context, once it exists: imports are then re-runs of a refresh.
	 */
	private volatile @Nullable ConfigurableApplicationContext applicationContext;

	private NacosConfigBootstrap(NacosProperties shared, NacosConfigProperties config, NacosClients clients) {
		this.shared = shared;
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
			NacosConfigBootstrap bootstrap = new NacosConfigBootstrap(
					binder.bindOrCreate(NacosProperties.PREFIX, NacosProperties.class),
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
	 * The namespace of the imports that name none:
	 * {@code spring.cloud.nacos.config.namespace}, else
	 * {@code spring.cloud.nacos.namespace}.
	 * @return the namespace, {@code null} for the public one
	 */
	@Nullable String defaultNamespace() {
		String namespace = (this.config.getNamespace() != null) ? this.config.getNamespace()
				: this.shared.getNamespace();
		return (namespace == null || namespace.isBlank() || "public".equals(namespace.trim())) ? null
				: namespace.trim();
	}

	/**
	 * The config client of a namespace.
	 * @param namespace the namespace of a data id, or {@code null} for the public one
	 * @return the shared client
	 */
	ConfigService configService(@Nullable String namespace) {
		Properties properties = NacosClientPropertiesFactory.create(this.shared, this.config,
				NacosConfigProperties.PREFIX);
		if (namespace != null) {
			properties.setProperty(PropertyKeyConst.NAMESPACE, namespace);
		}
		else if (defaultNamespace() != null) {
			// An import that names the public namespace while another one is configured.
			properties.setProperty(PropertyKeyConst.NAMESPACE, "public");
		}
		// Spring Cloud Alibaba passes these to the config client as they are.
		putIfSet(properties, PropertyKeyConst.ENCODE, this.config.getEncode());
		putIfSet(properties, PropertyKeyConst.MAX_RETRY, this.config.getMaxRetry());
		putIfSet(properties, PropertyKeyConst.CLUSTER_NAME, this.config.getClusterName());
		putIfSet(properties, PropertyKeyConst.RAM_ROLE_NAME, this.config.getRamRoleName());
		if (this.config.isEnableRemoteSyncConfig()) {
			properties.setProperty(PropertyKeyConst.ENABLE_REMOTE_SYNC_CONFIG, "true");
		}
		return this.clients.configService(properties);
	}

	private static void putIfSet(Properties properties, String key, @Nullable Object value) {
		if (value != null && !value.toString().isBlank()) {
			properties.setProperty(key, value.toString().trim());
		}
	}

	/**
	 * Whether the client reached its server; asked once per client, so that startup waits
	 * at most once.
	 */
	boolean isReachable(ConfigService service) {
		return this.reachable.computeIfAbsent(service, (key) -> "UP".equals(key.getServerStatus()));
	}

	String describeServer() {
		return NacosClientPropertiesFactory.describeServer(this.shared, this.config);
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
