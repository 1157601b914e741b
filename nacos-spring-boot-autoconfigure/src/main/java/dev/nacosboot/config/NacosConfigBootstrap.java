package dev.nacosboot.config;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.core.NacosClientPropertiesFactory;
import dev.nacosboot.core.NacosClients;
import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.core.NacosProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.bootstrap.BootstrapRegistry.InstanceSupplier;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * What the {@code nacos:} imports of one application share before its context exists: the
 * settings, the client owner and the loaded sources. Lives in the
 * {@code BootstrapContext}; when the context is prepared, the client owner and the
 * sources become beans, so the context closes the clients and its watcher listens to the
 * sources.
 */
final class NacosConfigBootstrap {

	private final NacosProperties shared;

	private final NacosConnectionDetails connection;

	private final boolean connectionFromBootstrap;

	private final NacosConfigProperties config;

	private final NacosClients clients;

	private final NacosConfigSources sources = new NacosConfigSources();

	private final Map<ConfigService, Boolean> reachable = new ConcurrentHashMap<>();

	private NacosConfigBootstrap(NacosProperties shared, NacosConnectionDetails connection,
			boolean connectionFromBootstrap, NacosConfigProperties config, NacosClients clients) {
		this.shared = shared;
		this.connection = connection;
		this.connectionFromBootstrap = connectionFromBootstrap;
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
			// the
			// properties, as a NacosConnectionDetails bean does for the other clients.
			boolean fromBootstrap = context.isRegistered(NacosConnectionDetails.class);
			NacosConnectionDetails connection = fromBootstrap ? context.get(NacosConnectionDetails.class)
					: NacosConnectionDetails.fromProperties(binder);
			NacosConfigBootstrap bootstrap = new NacosConfigBootstrap(
					binder.bindOrCreate(NacosProperties.PREFIX, NacosProperties.class), connection, fromBootstrap,
					binder.bindOrCreate(NacosConfigProperties.PREFIX, NacosConfigProperties.class),
					context.get(NacosClients.class));
			context.register(NacosConfigBootstrap.class, InstanceSupplier.of(bootstrap));
			context.addCloseListener((event) -> event.getBootstrapContext()
				.get(NacosConfigBootstrap.class)
				.promote(event.getApplicationContext().getBeanFactory()));
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
	 * The config client of a namespace.
	 * @param namespace the namespace of an import, or {@code null} for the configured one
	 * @return the shared client
	 */
	ConfigService configService(@Nullable String namespace) {
		return this.clients.configService(clientProperties(this.connection, this.shared, namespace));
	}

	/**
	 * The properties of a config client; the one place they are made, so that the
	 * import's client and the {@code ConfigService} bean are one client.
	 * @param connection where and how to connect
	 * @param shared the shared client settings
	 * @param namespace the namespace of an import, or {@code null} for the configured one
	 * @return the client properties
	 */
	static Properties clientProperties(NacosConnectionDetails connection, NacosProperties shared,
			@Nullable String namespace) {
		Properties properties = NacosClientPropertiesFactory.create(connection.forConfig(), shared);
		if (namespace != null) {
			properties.setProperty(PropertyKeyConst.NAMESPACE, namespace);
		}
		return properties;
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

	/** Closes the clients when startup fails before the context exists. */
	void closeClients() {
		this.clients.close();
	}

	private void promote(ConfigurableListableBeanFactory beanFactory) {
		NacosClients.registerAsBean(beanFactory, this.clients);
		if (this.connectionFromBootstrap
				&& !beanFactory.containsSingleton(NacosCoreAutoConfiguration.CONNECTION_DETAILS_BEAN_NAME)) {
			beanFactory.registerSingleton(NacosCoreAutoConfiguration.CONNECTION_DETAILS_BEAN_NAME, this.connection);
		}
		if (!beanFactory.containsSingleton(NacosConfigSources.BEAN_NAME)) {
			beanFactory.registerSingleton(NacosConfigSources.BEAN_NAME, this.sources);
		}
	}

}
