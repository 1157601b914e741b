package dev.nacosboot.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

	// Futures, so that creating a client (loading the gRPC stack and connecting: up to a
	// second) never holds this owner's lock: readers such as health checks go on.
	private final Map<Map<String, String>, CompletableFuture<NamingService>> namingServices = new LinkedHashMap<>();

	private final Map<Map<String, String>, CompletableFuture<ConfigService>> configServices = new LinkedHashMap<>();

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
	public NamingService namingService(Properties properties) {
		return client(this.namingServices, properties, "naming", this.factory::createNamingService,
				NamingService::shutDown);
	}

	/**
	 * The config client for these properties, created on first use.
	 * @param properties client properties, usually from
	 * {@link NacosClientPropertiesFactory}
	 * @return the shared config client
	 * @throws NacosClientCreationException when the client cannot be created
	 */
	public ConfigService configService(Properties properties) {
		return client(this.configServices, properties, "config", this.factory::createConfigService,
				ConfigService::shutDown);
	}

	// One thread creates a client, outside the lock; others asking for it meanwhile wait
	// for that one. A failed creation is forgotten, so that the next call tries again.
	private <T> T client(Map<Map<String, String>, CompletableFuture<T>> clients, Properties properties, String concern,
			Creation<T> creation, Shutdown<T> shutdown) {
		Map<String, String> key = key(properties);
		CompletableFuture<T> future;
		boolean creator = false;
		synchronized (this) {
			assertOpen();
			future = clients.get(key);
			if (future == null) {
				future = new CompletableFuture<>();
				clients.put(key, future);
				creator = true;
			}
		}
		if (creator) {
			try {
				T client = creation.create(copy(properties));
				boolean closedMeanwhile;
				synchronized (this) {
					// With close(): either it sees the client done, or this sees it
					// closed.
					closedMeanwhile = this.closed;
					if (!closedMeanwhile) {
						future.complete(client);
					}
				}
				if (closedMeanwhile) {
					closeQuietly(() -> shutdown.shutDown(client));
					future.completeExceptionally(
							new IllegalStateException("The Nacos clients of this context are closed"));
				}
			}
			catch (NacosException | RuntimeException ex) {
				synchronized (this) {
					clients.remove(key, future);
				}
				RuntimeException failure = (ex instanceof NacosException nacos)
						? new NacosClientCreationException(concern, nacos) : (RuntimeException) ex;
				future.completeExceptionally(failure);
				throw failure;
			}
		}
		try {
			return future.join();
		}
		catch (CompletionException ex) {
			throw (ex.getCause() instanceof RuntimeException runtime) ? runtime : ex;
		}
	}

	/**
	 * The config client for these properties if it was created, without creating it.
	 * @param properties client properties, as given to {@link #configService(Properties)}
	 * @return the client, or {@code null} when none was created (or the clients are
	 * closed)
	 */
	public synchronized @Nullable ConfigService configServiceIfCreated(Properties properties) {
		CompletableFuture<ConfigService> future = this.configServices.get(key(properties));
		return (future != null && future.isDone() && !future.isCompletedExceptionally()) ? future.join() : null;
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
	 * shutdown. It must be quick: {@link #close()} waits for it.
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
			// A client still being created is shut down by its creator once it exists.
			created(this.configServices).forEach((service) -> toClose.add(service::shutDown));
			created(this.namingServices).forEach((service) -> toClose.add(service::shutDown));
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

	private static <T> List<T> created(Map<Map<String, String>, CompletableFuture<T>> clients) {
		return clients.values()
			.stream()
			.filter((future) -> future.isDone() && !future.isCompletedExceptionally())
			.map(CompletableFuture::join)
			.toList();
	}

	@FunctionalInterface
	private interface Creation<T> {

		T create(Properties properties) throws NacosException;

	}

	@FunctionalInterface
	private interface Shutdown<T> {

		void shutDown(T client) throws NacosException;

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
