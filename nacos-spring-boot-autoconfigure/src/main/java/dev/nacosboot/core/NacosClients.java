package dev.nacosboot.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Supplier;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;

/**
 * The one owner of a context's Nacos clients: creates each {@link NamingService} and
 * {@link ConfigService} once per distinct set of client properties, shares it between the
 * context's beans, and shuts all of them down when the context closes. Instances are per
 * context (no static state), so two contexts in one JVM never share a client.
 * <p>
 * Thread-safe. After {@link #close()} it creates nothing more.
 */
public class NacosClients implements DisposableBean, AutoCloseable {

	/**
	 * Name of the bean, also used when a bootstrap-phase instance is promoted to a bean.
	 */
	public static final String BEAN_NAME = "nacosClients";

	private static final Log logger = LogFactory.getLog(NacosClients.class);

	private final ClientFactory factory;

	private final Map<Map<String, String>, NamingService> namingServices = new LinkedHashMap<>();

	private final Map<Map<String, String>, ConfigService> configServices = new LinkedHashMap<>();

	private final List<AutoCloseable> others = new ArrayList<>();

	private boolean closed;

	public NacosClients() {
		this(ClientFactory.NACOS);
	}

	/**
	 * Creates an owner that creates clients through the given factory (tests).
	 * @param factory creates the clients
	 */
	public NacosClients(ClientFactory factory) {
		this.factory = factory;
	}

	/**
	 * The naming client for these properties, created on first use.
	 * @param properties client properties, usually from
	 * {@link NacosClientPropertiesFactory}
	 * @return the shared naming client
	 * @throws NacosClientCreationException when the client cannot be created
	 */
	public synchronized NamingService namingService(Properties properties) {
		assertOpen();
		return this.namingServices.computeIfAbsent(key(properties), (key) -> {
			try {
				return this.factory.createNamingService(copy(properties));
			}
			catch (NacosException ex) {
				throw new NacosClientCreationException("naming", ex);
			}
		});
	}

	/**
	 * The config client for these properties, created on first use.
	 * @param properties client properties, usually from
	 * {@link NacosClientPropertiesFactory}
	 * @return the shared config client
	 * @throws NacosClientCreationException when the client cannot be created
	 */
	public synchronized ConfigService configService(Properties properties) {
		assertOpen();
		return this.configServices.computeIfAbsent(key(properties), (key) -> {
			try {
				return this.factory.createConfigService(copy(properties));
			}
			catch (NacosException ex) {
				throw new NacosClientCreationException("config", ex);
			}
		});
	}

	/**
	 * The config client for these properties if it was created, without creating it.
	 * @param properties client properties, as given to {@link #configService(Properties)}
	 * @return the client, or {@code null} when none was created (or the clients are
	 * closed)
	 */
	public synchronized @Nullable ConfigService configServiceIfCreated(Properties properties) {
		return this.configServices.get(key(properties));
	}

	/**
	 * Takes ownership of a resource created elsewhere (e.g. a client created in the
	 * bootstrap phase) so that it is closed with the others.
	 * @param resource what to close with this owner
	 */
	public synchronized void closeWithThis(AutoCloseable resource) {
		if (this.closed) {
			closeQuietly(resource);
			return;
		}
		this.others.add(resource);
	}

	/**
	 * Runs an action on the clients unless they are closed, holding {@link #close()} off
	 * until it returns, so that the action never meets a client in the middle of its
	 * shutdown. It must be quick: client creation waits too.
	 * @param action what to do with open clients
	 * @param whenClosed the answer once the clients are closed
	 * @param <T> the type of the answer
	 * @return the action's answer, or {@code whenClosed}
	 */
	public synchronized <T> T ifOpen(Supplier<T> action, T whenClosed) {
		return this.closed ? whenClosed : action.get();
	}

	/**
	 * Whether {@link #close()} has run.
	 * @return whether closed
	 */
	public synchronized boolean isClosed() {
		return this.closed;
	}

	@Override
	public void destroy() {
		close();
	}

	/**
	 * Shuts every owned client down: config clients, naming clients, then other
	 * resources, each once.
	 */
	@Override
	public void close() {
		List<AutoCloseable> toClose = new ArrayList<>();
		synchronized (this) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			this.configServices.values().forEach((service) -> toClose.add(service::shutDown));
			this.namingServices.values().forEach((service) -> toClose.add(service::shutDown));
			List<AutoCloseable> others = new ArrayList<>(this.others);
			Collections.reverse(others);
			toClose.addAll(others);
			this.configServices.clear();
			this.namingServices.clear();
			this.others.clear();
		}
		toClose.forEach(NacosClients::closeQuietly);
	}

	/**
	 * Registers an owner created before the context (in the bootstrap phase) as the
	 * context's {@value #BEAN_NAME} bean, destroyed with the context. The auto-configured
	 * owner then backs off.
	 * @param beanFactory the context's bean factory
	 * @param clients the owner to promote
	 */
	public static void registerAsBean(ConfigurableListableBeanFactory beanFactory, NacosClients clients) {
		if (beanFactory.containsSingleton(BEAN_NAME)) {
			return;
		}
		beanFactory.registerSingleton(BEAN_NAME, clients);
		if (beanFactory instanceof DefaultListableBeanFactory registry) {
			registry.registerDisposableBean(BEAN_NAME, clients);
		}
	}

	private void assertOpen() {
		if (this.closed) {
			throw new IllegalStateException("The Nacos clients of this context are closed");
		}
	}

	private static void closeQuietly(AutoCloseable resource) {
		try {
			resource.close();
		}
		catch (Exception ex) {
			logger.warn("Failed to close a Nacos client: " + ex.getMessage(), ex);
		}
	}

	private static Map<String, String> key(Properties properties) {
		Map<String, String> key = new TreeMap<>();
		properties.stringPropertyNames().forEach((name) -> key.put(name, properties.getProperty(name)));
		return key;
	}

	private static Properties copy(Properties properties) {
		Properties copy = new Properties();
		properties.stringPropertyNames().forEach((name) -> copy.setProperty(name, properties.getProperty(name)));
		return copy;
	}

	/**
	 * Creates the clients; the default is {@link NacosFactory}.
	 */
	public interface ClientFactory {

		/** Creates clients with {@link NacosFactory}. */
		ClientFactory NACOS = new ClientFactory() {

			@Override
			public NamingService createNamingService(Properties properties) throws NacosException {
				ShadedNettyDefaults.apply();
				return NacosFactory.createNamingService(properties);
			}

			@Override
			public ConfigService createConfigService(Properties properties) throws NacosException {
				ShadedNettyDefaults.apply();
				return NacosFactory.createConfigService(properties);
			}

		};

		NamingService createNamingService(Properties properties) throws NacosException;

		ConfigService createConfigService(Properties properties) throws NacosException;

	}

}
