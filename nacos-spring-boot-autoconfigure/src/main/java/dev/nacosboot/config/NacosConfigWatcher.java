package dev.nacosboot.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.alibaba.nacos.api.config.listener.AbstractListener;
import com.alibaba.nacos.api.config.listener.Listener;
import com.alibaba.nacos.api.exception.NacosException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Listens to every refreshable Nacos config of the application and hands changes to the
 * {@link ConfigChangeApplier} on one thread of its own: the client's notify thread only
 * records the newest content, so a burst of changes to one data id collapses into the
 * refreshes it takes to reach the final content, and refreshes never run concurrently.
 */
public class NacosConfigWatcher implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(NacosConfigWatcher.class);

	private final NacosConfigSources sources;

	private final ConfigChangeApplier applier;

	private final Map<NacosConfigSources.Loaded, String> pending = new ConcurrentHashMap<>();

	private final Set<NacosConfigSources.Loaded> scheduled = ConcurrentHashMap.newKeySet();

	private final List<Registration> registrations = new ArrayList<>();

	private volatile boolean running;

	private ExecutorService executor;

	public NacosConfigWatcher(NacosConfigSources sources, ConfigChangeApplier applier) {
		this.sources = sources;
		this.applier = applier;
	}

	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		this.executor = Executors.newSingleThreadExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "nacos-config-refresh");
			thread.setDaemon(true);
			return thread;
		});
		// Listeners stay registered across stop/start (see stop()): register them once.
		for (NacosConfigSources.Loaded config : this.registrations.isEmpty() ? this.sources.all()
				: List.<NacosConfigSources.Loaded>of()) {
			if (!config.resource().isRefresh()) {
				continue;
			}
			Listener listener = new AbstractListener() {
				@Override
				public void receiveConfigInfo(String content) {
					offer(config, content);
				}
			};
			try {
				config.configService()
					.addListener(config.resource().getDataId(), config.resource().getGroup(), listener);
				this.registrations.add(new Registration(config, listener));
			}
			catch (NacosException ex) {
				logger.error("Cannot listen to " + config.resource() + ": its changes will not be applied", ex);
			}
		}
		this.running = true;
	}

	private void offer(NacosConfigSources.Loaded config, String content) {
		if (!this.running) {
			return;
		}
		this.pending.put(config, (content != null) ? content : "");
		if (this.scheduled.add(config)) {
			try {
				this.executor.execute(() -> drain(config));
			}
			catch (RuntimeException ex) {
				this.scheduled.remove(config);
				logger.debug("Dropped a change of " + config.resource() + " while stopping");
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
			this.executor.execute(() -> {
				try {
					offer(config, config.configService()
						.getConfig(config.resource().getDataId(), config.resource().getGroup(), 3000));
				}
				catch (NacosException ex) {
					logger.warn("Could not read " + config.resource() + " again: " + ex.getErrMsg());
				}
			});
		}
		catch (RuntimeException ex) {
			logger.debug("Did not read " + config.resource() + " again while stopping");
		}
	}

	private void drain(NacosConfigSources.Loaded config) {
		this.scheduled.remove(config);
		String content = this.pending.remove(config);
		if (content == null) {
			return;
		}
		try {
			this.applier.apply(config, content);
		}
		catch (RuntimeException ex) {
			logger.error("Failed to apply a change of " + config.resource(), ex);
		}
	}

	@Override
	public synchronized void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		// The listeners are not removed: the config clients are shut down with the
		// context right after, and a
		// removal starts an asynchronous un-listen in nacos-client 3.2.1 that can open a
		// new connection after the
		// client's shutdown and leave it open (seen in the context start/stop leak test).
		// While stopped, changes
		// are ignored.
		this.executor.shutdown();
		try {
			if (!this.executor.awaitTermination(5, TimeUnit.SECONDS)) {
				this.executor.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.executor.shutdownNow();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	private record Registration(NacosConfigSources.Loaded config, Listener listener) {
	}

}
