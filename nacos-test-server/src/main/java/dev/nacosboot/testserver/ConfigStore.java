package dev.nacosboot.testserver;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.alibaba.nacos.api.config.remote.request.ConfigChangeNotifyRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Config items by (tenant, group, data id) and the connections listening to them. Items
 * outlive server restarts (a real server keeps them in its database); listeners are bound
 * to their connection.
 */
final class ConfigStore {

	private static final Logger logger = LoggerFactory.getLogger(ConfigStore.class);

	private final Object lock = new Object();

	private final Map<ConfigKey, ConfigItem> items = new LinkedHashMap<>();

	/**
	 * Listening connections per key, each with the tenant to push back: null when the
	 * client listened without one.
	 */
	private final Map<ConfigKey, Map<String, Listener>> listeners = new HashMap<>();

	private volatile java.util.function.BiConsumer<ConfigKey, Boolean> existenceListener = (key, exists) -> {
	};

	private final ExecutorService notifications = Executors
		.newSingleThreadExecutor(GrpcEndpoint.daemonThreads("nacos-test-server-config-notify-"));

	private final Map<ConfigKey, Long> queries = new HashMap<>();

	ConfigItem get(ConfigKey key) {
		synchronized (this.lock) {
			return this.items.get(key);
		}
	}

	/** Reads a config for a client, counting the read. */
	ConfigItem query(ConfigKey key) {
		synchronized (this.lock) {
			this.queries.merge(key, 1L, Long::sum);
			return this.items.get(key);
		}
	}

	long queryCount(ConfigKey key) {
		synchronized (this.lock) {
			return this.queries.getOrDefault(key, 0L);
		}
	}

	/**
	 * Stores the content; with a non-blank {@code casMd5}, only if the config is new or
	 * its current md5 is that one. Listeners hear of it only when the md5 changed.
	 * @return whether the content was stored
	 */
	boolean publish(ConfigKey key, String content, String type, String casMd5) {
		String md5 = md5(content);
		boolean changed;
		synchronized (this.lock) {
			ConfigItem current = this.items.get(key);
			if (casMd5 != null && !casMd5.isBlank() && current != null && !current.md5().equals(casMd5)) {
				return false;
			}
			changed = current == null || !current.md5().equals(md5);
			this.items.put(key, new ConfigItem(content, md5, validType(type), System.currentTimeMillis()));
			if (current == null) {
				this.existenceListener.accept(key, true);
			}
		}
		if (changed) {
			notifyListeners(key);
		}
		return true;
	}

	/** A real server stores any type it does not know as {@code text}. */
	private static String validType(String type) {
		return (type != null && KNOWN_TYPES.contains(type)) ? type : "text";
	}

	private static final Set<String> KNOWN_TYPES = Set.of("properties", "xml", "json", "text", "html", "yaml", "toml",
			"unset");

	boolean remove(ConfigKey key) {
		boolean removed;
		synchronized (this.lock) {
			removed = this.items.remove(key) != null;
			if (removed) {
				this.existenceListener.accept(key, false);
			}
		}
		if (removed) {
			notifyListeners(key);
		}
		return removed;
	}

	/**
	 * Registers a listener and tells whether the client's md5 is out of date.
	 */
	boolean listen(ServerConnection connection, ConfigKey key, String clientTenant, String clientMd5) {
		synchronized (this.lock) {
			this.listeners.computeIfAbsent(key, (k) -> new LinkedHashMap<>())
				.put(connection.id(), new Listener(connection,
						(clientTenant == null || clientTenant.isBlank()) ? null : clientTenant.trim()));
			ConfigItem item = this.items.get(key);
			String serverMd5 = (item != null) ? item.md5() : "";
			return !serverMd5.equals((clientMd5 != null) ? clientMd5 : "");
		}
	}

	void unlisten(ServerConnection connection, ConfigKey key) {
		synchronized (this.lock) {
			Map<String, Listener> listening = this.listeners.get(key);
			if (listening != null) {
				listening.remove(connection.id());
				if (listening.isEmpty()) {
					this.listeners.remove(key);
				}
			}
		}
	}

	void connectionClosed(ServerConnection connection) {
		synchronized (this.lock) {
			this.listeners.values().forEach((listening) -> listening.remove(connection.id()));
			this.listeners.values().removeIf(Map::isEmpty);
		}
	}

	/** Called (under the store's lock) when a config is created or removed. */
	void onExistenceChange(java.util.function.BiConsumer<ConfigKey, Boolean> listener) {
		this.existenceListener = listener;
	}

	void clearListeners() {
		synchronized (this.lock) {
			this.listeners.clear();
		}
	}

	List<ConfigKey> keys() {
		synchronized (this.lock) {
			return List.copyOf(this.items.keySet());
		}
	}

	List<String> listenerConnections(ConfigKey key) {
		synchronized (this.lock) {
			return List.copyOf(this.listeners.getOrDefault(key, Map.of()).keySet());
		}
	}

	void shutdown() {
		this.notifications.shutdownNow();
	}

	private void notifyListeners(ConfigKey key) {
		List<Listener> targets;
		synchronized (this.lock) {
			targets = new ArrayList<>(this.listeners.getOrDefault(key, Map.of()).values());
		}
		if (targets.isEmpty()) {
			return;
		}
		this.notifications.execute(() -> {
			for (Listener target : targets) {
				target.connection()
					.push(ConfigChangeNotifyRequest.build(key.dataId(), key.group(), target.tenant()))
					.exceptionally((ex) -> {
						logger.debug("Change notification of {} to {} failed: {}", key, target.connection().id(),
								ex.toString());
						return null;
					});
			}
		});
	}

	static String md5(String content) {
		try {
			MessageDigest md5 = MessageDigest.getInstance("MD5");
			return HexFormat.of().formatHex(md5.digest(content.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A stored config.
	 *
	 * @param content the content
	 * @param md5 lowercase hex md5 of the UTF-8 content
	 * @param type the declared type ({@code text}, {@code yaml}, {@code properties},
	 * {@code json}, ...)
	 * @param lastModified epoch millis of the last publish
	 */
	record ConfigItem(String content, String md5, String type, long lastModified) {
	}

	private record Listener(ServerConnection connection, String tenant) {
	}

}
