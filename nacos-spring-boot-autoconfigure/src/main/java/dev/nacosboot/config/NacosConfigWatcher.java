package dev.nacosboot.config;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.listener.AbstractListener;
import com.alibaba.nacos.api.exception.NacosException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

/**
 * Listens to every refreshable Nacos config of the application and hands changes to the
 * {@link ConfigChangeApplier}.
 * <p>
 * The listeners are registered shortly after the application is ready
 * ({@code spring.cloud.nacos.client-start-delay}), in the background, so that no config
 * client is created on the path to ready (the imports read over HTTP). Each registration
 * reads the config again through the client ({@code getConfigAndSignListener}) and
 * applies what differs from what startup loaded: a change published between the startup
 * read and the registration is not lost. A registration the server does not answer is
 * retried. Configs that are not refreshed are read once through the client as well, which
 * keeps its local snapshot (the fallback of a later startup while the server is down) as
 * current as before.
 * <p>
 * Changes are applied on the starter's task scheduler: the client's notify thread only
 * records the newest content, so a burst of changes to one data id collapses into the
 * refreshes it takes to reach the final content, and the changes of one data id are
 * applied one at a time, in order.
 */
class NacosConfigWatcher implements SmartLifecycle, ApplicationListener<ApplicationReadyEvent> {

	private static final Log logger = LogFactory.getLog(NacosConfigWatcher.class);

	private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(5);

	private final NacosConfigSources sources;

	private final ConfigChangeApplier applier;

	private final TaskScheduler scheduler;

	private final long timeoutMillis;

	private final Duration startDelay;

	private final Map<NacosConfigSources.Loaded, String> pending = new ConcurrentHashMap<>();

	private final Set<NacosConfigSources.Loaded> draining = ConcurrentHashMap.newKeySet();

	/** Configs whose listener (or snapshot read) is still to be set up. */
	private final Set<NacosConfigSources.Loaded> awaiting = ConcurrentHashMap.newKeySet();

	private final Map<NacosConfigSources.Loaded, ChangeListener> listeners = new ConcurrentHashMap<>();

	/**
	 * Held around each call of a config client, so that none starts after
	 * {@link #stop()}: a call on a client that is being shut down can open a connection
	 * that outlives the shutdown.
	 */
	private final Object clientCalls = new Object();

	private volatile boolean running;

	private boolean ready;

	private boolean setUpScheduled;

	private int failedRounds;

	/**
	 * Creates a watcher.
	 * @param sources the configs the imports loaded
	 * @param applier applies changes
	 * @param scheduler runs the registration and the changes
	 * @param timeout timeout of the reads that register the listeners
	 * @param startDelay how long after ready the listeners are registered
	 */
	public NacosConfigWatcher(NacosConfigSources sources, ConfigChangeApplier applier, TaskScheduler scheduler,
			Duration timeout, Duration startDelay) {
		this.sources = sources;
		this.applier = applier;
		this.scheduler = scheduler;
		this.timeoutMillis = timeout.toMillis();
		this.startDelay = startDelay;
	}

	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		this.running = true;
		// Restarted after a stop: finish what the stop interrupted.
		if (this.ready && !this.awaiting.isEmpty()) {
			scheduleSetUp(Duration.ZERO);
		}
	}

	@Override
	public synchronized void onApplicationEvent(ApplicationReadyEvent event) {
		if (this.ready) {
			return;
		}
		this.ready = true;
		this.awaiting.addAll(this.sources.all());
		if (this.running) {
			scheduleSetUp(this.startDelay);
		}
	}

	/**
	 * Whether every config is set up since the application became ready: refreshable ones
	 * listened to, the others read through their client once.
	 * @return whether set up
	 */
	synchronized boolean isListening() {
		return this.ready && this.awaiting.isEmpty() && !this.setUpScheduled;
	}

	private synchronized void scheduleSetUp(Duration delay) {
		if (this.setUpScheduled || !this.running) {
			return;
		}
		this.setUpScheduled = true;
		try {
			this.scheduler.schedule(this::setUp, Instant.now().plus(delay));
		}
		catch (RuntimeException ex) {
			this.setUpScheduled = false;
			logger.debug("Did not set up the Nacos config listeners: the scheduler is shut down");
		}
	}

	private void setUp() {
		synchronized (this) {
			this.setUpScheduled = false;
		}
		Set<ConfigService> unanswered = new HashSet<>();
		List<String> problems = new ArrayList<>();
		for (NacosConfigSources.Loaded config : List.copyOf(this.awaiting)) {
			synchronized (this.clientCalls) {
				if (!this.running) {
					return;
				}
				ConfigService service = null;
				try {
					service = config.configService();
					if (!unanswered.contains(service)) {
						setUp(config, service);
						this.awaiting.remove(config);
					}
				}
				catch (NacosException ex) {
					// Most likely the server: leave this client's other configs for the
					// next round.
					unanswered.add(service);
					problems.add(config.resource() + ": " + ex.getErrMsg());
				}
				catch (IllegalStateException ex) {
					// The application's clients are closed.
					logger.debug("Stopped setting up the Nacos config listeners: " + ex.getMessage());
					return;
				}
				catch (RuntimeException ex) {
					problems.add(config.resource() + ": " + ex.getMessage());
				}
			}
		}
		retryIfNeeded(problems);
	}

	private void setUp(NacosConfigSources.Loaded config, ConfigService service) throws NacosException {
		NacosConfigDataResource resource = config.resource();
		if (!resource.isRefresh()) {
			service.getConfig(resource.getDataId(), resource.getGroup(), this.timeoutMillis);
			return;
		}
		ChangeListener listener = this.listeners.computeIfAbsent(config, ChangeListener::new);
		String content = service.getConfigAndSignListener(resource.getDataId(), resource.getGroup(), this.timeoutMillis,
				listener);
		listener.offerCurrent(content);
	}

	private synchronized void retryIfNeeded(List<String> problems) {
		if (this.awaiting.isEmpty()) {
			if (this.failedRounds > 0) {
				logger.info("Listening to the Nacos configs of this application now");
			}
			this.failedRounds = 0;
			return;
		}
		this.failedRounds++;
		Duration delay = Duration.ofSeconds(1L << Math.min(this.failedRounds - 1, 3));
		delay = (delay.compareTo(MAX_RETRY_DELAY) > 0) ? MAX_RETRY_DELAY : delay;
		String message = "Cannot listen to " + this.awaiting.size() + " Nacos config(s) yet, trying again in "
				+ delay.toSeconds() + " s: " + String.join("; ", problems);
		if (this.failedRounds == 1) {
			logger.warn(message);
		}
		else {
			logger.debug(message);
		}
		scheduleSetUp(delay);
	}

	private void offer(NacosConfigSources.Loaded config, @Nullable String content) {
		if (!this.running) {
			return;
		}
		this.pending.put(config, (content != null) ? content : "");
		if (this.draining.add(config)) {
			try {
				this.scheduler.schedule(() -> drain(config), Instant.now());
			}
			catch (RuntimeException ex) {
				this.draining.remove(config);
				logger.debug("Dropped a change of " + config.resource() + " while stopping");
			}
		}
	}

	/**
	 * Applies the newest content of a config until none is pending. Only one drain per
	 * config runs at a time, so its changes apply in the order they arrived.
	 */
	private void drain(NacosConfigSources.Loaded config) {
		while (true) {
			String content = this.pending.remove(config);
			if (content == null) {
				this.draining.remove(config);
				// An offer in between saw this drain running and left its content to it.
				if (!this.pending.containsKey(config) || !this.draining.add(config)) {
					return;
				}
				continue;
			}
			try {
				this.applier.apply(config, content);
			}
			catch (RuntimeException ex) {
				logger.error("Failed to apply a change of " + config.resource(), ex);
			}
		}
	}

	/**
	 * Reads a data id again from the server and applies it like a received change.
	 * @param config the loaded config
	 */
	void readAgain(NacosConfigSources.Loaded config) {
		if (!this.running) {
			return;
		}
		try {
			this.scheduler.schedule(() -> {
				String content;
				synchronized (this.clientCalls) {
					if (!this.running) {
						return;
					}
					try {
						content = config.configService()
							.getConfig(config.resource().getDataId(), config.resource().getGroup(), this.timeoutMillis);
					}
					catch (NacosException ex) {
						logger.warn("Could not read " + config.resource() + " again: " + ex.getErrMsg());
						return;
					}
					catch (RuntimeException ex) {
						logger.warn("Could not read " + config.resource() + " again: " + ex.getMessage());
						return;
					}
				}
				offer(config, content);
			}, Instant.now());
		}
		catch (RuntimeException ex) {
			logger.debug("Did not read " + config.resource() + " again while stopping");
		}
	}

	@Override
	public void stop() {
		synchronized (this) {
			this.running = false;
		}
		// The listeners are not removed: the config clients are shut down with the
		// context right after, and a removal starts an asynchronous un-listen in
		// nacos-client 3.2.1 that can open a new connection after the client's shutdown
		// and leave it open (seen in the context start/stop leak test). While stopped,
		// changes are ignored. Waits for a client call in progress.
		synchronized (this.clientCalls) {
			logger.trace("Nacos config watcher stopped");
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Hands what the client notifies to the watcher, and the content read when it was
	 * registered unless a notification came first (which is newer).
	 */
	private final class ChangeListener extends AbstractListener {

		private final NacosConfigSources.Loaded config;

		private boolean notified;

		ChangeListener(NacosConfigSources.Loaded config) {
			this.config = config;
		}

		@Override
		public synchronized void receiveConfigInfo(String content) {
			this.notified = true;
			offer(this.config, content);
		}

		/**
		 * The content read while registering: applied when it differs from what startup
		 * loaded (it changed in between).
		 */
		synchronized void offerCurrent(@Nullable String content) {
			if (!this.notified && !Objects.equals(NacosConfigDataLoader.md5OrNull(content), this.config.md5())) {
				offer(this.config, content);
			}
		}

	}

}
