package dev.nacosboot.discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.core.LazyClientProxy;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.TaskScheduler;

/**
 * The application's naming client, created off the path to ready: on the starter's
 * scheduler shortly after the application is ready ({@code client-start-delay}), or on
 * the first call that needs it, whichever comes first. Creating a naming client loads the
 * client's gRPC stack and connects, which took about half a second of the main thread at
 * startup, and competed with the end of startup when it ran in the background before
 * ready; the registration needs it only once the application is ready, and discovery only
 * at the first call. Right after ready it competed with the application's first requests,
 * hence the short wait. A context that never becomes ready (one not run by
 * {@code SpringApplication}) creates it at its first use.
 *
 * @author Nacos Spring Boot team
 */
public class NacosNamingClient implements SmartLifecycle, ApplicationListener<ApplicationReadyEvent> {

	private static final Log logger = LogFactory.getLog(NacosNamingClient.class);

	private final Supplier<NamingService> factory;

	private final TaskExecutor executor;

	private final TaskExecutor readyStart;

	private final List<Consumer<NamingService>> whenCreated = new CopyOnWriteArrayList<>();

	private volatile @Nullable NamingService client;

	private volatile boolean running;

	private volatile boolean ready;

	/**
	 * Creates the holder; nothing is created until it starts or is asked.
	 * @param factory creates the client (once, unless it fails)
	 * @param executor where the client is created when the context starts, and where the
	 * actions waiting for it run
	 */
	public NacosNamingClient(Supplier<NamingService> factory, TaskExecutor executor) {
		this(factory, executor, executor);
	}

	/**
	 * Creates the holder; nothing is created until it starts or is asked.
	 * @param factory creates the client (once, unless it fails)
	 * @param scheduler where the client is created and the actions waiting for it run
	 * @param startDelay how long after ready the client is created if nothing asked for
	 * it sooner
	 */
	public NacosNamingClient(Supplier<NamingService> factory, TaskScheduler scheduler, Duration startDelay) {
		this(factory, (task) -> scheduler.schedule(task, Instant.now()),
				(task) -> scheduler.schedule(task, Instant.now().plus(startDelay)));
	}

	private NacosNamingClient(Supplier<NamingService> factory, TaskExecutor executor, TaskExecutor readyStart) {
		this.factory = factory;
		this.executor = executor;
		this.readyStart = readyStart;
	}

	/**
	 * A holder of a client that exists already, such as an application's own
	 * {@link NamingService} bean.
	 * @param client the client
	 * @return the holder
	 */
	public static NacosNamingClient of(NamingService client) {
		NacosNamingClient holder = new NacosNamingClient(() -> client, Runnable::run);
		holder.client = client;
		return holder;
	}

	/**
	 * The client, created now if it does not exist yet.
	 * @return the client
	 * @throws dev.nacosboot.core.NacosClientCreationException when it cannot be created
	 */
	public NamingService get() {
		NamingService existing = this.client;
		if (existing != null) {
			return existing;
		}
		NamingService created;
		synchronized (this) {
			if (this.client != null) {
				return this.client;
			}
			created = this.factory.get();
			this.client = created;
		}
		for (Consumer<NamingService> action : this.whenCreated) {
			this.executor.execute(() -> action.accept(created));
		}
		return created;
	}

	/**
	 * The client if it exists, without creating it: for readers of its state that must
	 * not start it, such as health checks.
	 * @return the client, or {@code null}
	 */
	public @Nullable NamingService getIfCreated() {
		return this.client;
	}

	/**
	 * Runs an action on the executor once the client exists (at once if it does).
	 * @param action what to do with the client
	 */
	public void whenCreated(Consumer<NamingService> action) {
		this.whenCreated.add(action);
		NamingService existing = this.client;
		if (existing != null) {
			this.executor.execute(() -> action.accept(existing));
		}
	}

	/**
	 * A {@link NamingService} that creates the client at its first call, for beans and
	 * applications that inject one: injecting it does not create the client.
	 * @param classLoader where the proxy class is defined
	 * @return the proxy
	 */
	public NamingService lazyProxy(@Nullable ClassLoader classLoader) {
		return LazyClientProxy.of(NamingService.class, this::get, classLoader);
	}

	@Override
	public void start() {
		this.running = true;
		// Restarted after a stop once ready: create what the stop may have prevented.
		if (this.ready && this.client == null) {
			this.executor.execute(this::createInBackground);
		}
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		if (this.ready) {
			return;
		}
		this.ready = true;
		if (this.running && this.client == null) {
			this.readyStart.execute(this::createInBackground);
		}
	}

	private void createInBackground() {
		if (!this.running) {
			return;
		}
		try {
			get();
		}
		catch (RuntimeException ex) {
			// The next call that needs the client tries again and reports the failure.
			logger.warn("Could not create the Nacos naming client: " + ex.getMessage());
		}
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE;
	}

}
