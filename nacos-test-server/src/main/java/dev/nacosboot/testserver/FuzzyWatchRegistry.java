package dev.nacosboot.testserver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import com.alibaba.nacos.api.remote.request.Request;
import com.alibaba.nacos.common.utils.FuzzyGroupKeyPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fuzzy watches (Nacos 3) of one kind of resource (services or configs): which
 * connections watch which {@code namespace>>group>>name} pattern, the initial and repair
 * syncs, and the change notices. Matching uses the client's own
 * {@link FuzzyGroupKeyPattern}, the rules the real server applies.
 */
final class FuzzyWatchRegistry {

	private static final Logger logger = LoggerFactory.getLogger(FuzzyWatchRegistry.class);

	private final Object lock = new Object();

	private final Map<String, Map<String, ServerConnection>> watchers = new LinkedHashMap<>();

	private final int batchSize;

	private final Messages messages;

	private final ExecutorService sender;

	FuzzyWatchRegistry(String kind, int batchSize, Messages messages) {
		this.batchSize = batchSize;
		this.messages = messages;
		this.sender = Executors
			.newSingleThreadExecutor(GrpcEndpoint.daemonThreads("nacos-test-server-fuzzy-" + kind + "-"));
	}

	/**
	 * Adds the watch and sends the client what it lacks or holds in excess: keys of
	 * {@code existing} that match the pattern and are not in {@code received} as added,
	 * received keys that no longer exist as deleted. An initializing watch always ends
	 * with a finish notice. {@code existing} is read only once the watch is in place, so
	 * that a resource added meanwhile is either in it or announced by {@link #changed}
	 * (or both, which the client takes as one).
	 */
	void watch(ServerConnection connection, String pattern, Set<String> received, boolean initializing,
			Supplier<Map<String, Resource>> existing) {
		synchronized (this.lock) {
			this.watchers.computeIfAbsent(pattern, (p) -> new LinkedHashMap<>()).put(connection.id(), connection);
		}
		Set<String> matched = new LinkedHashSet<>();
		existing.get().forEach((key, resource) -> {
			if (FuzzyGroupKeyPattern.matchPattern(pattern, resource.name(), resource.group(), resource.namespace())) {
				matched.add(key);
			}
		});
		Set<String> known = (received != null) ? received : Set.of();
		List<String[]> diff = new ArrayList<>();
		matched.stream().filter((key) -> !known.contains(key)).forEach((key) -> diff.add(new String[] { key, "add" }));
		known.stream()
			.filter((key) -> !matched.contains(key))
			.forEach((key) -> diff.add(new String[] { key, "delete" }));
		this.sender.execute(() -> sync(connection, pattern, diff, initializing));
	}

	void cancel(ServerConnection connection, String pattern) {
		synchronized (this.lock) {
			Map<String, ServerConnection> watching = this.watchers.get(pattern);
			if (watching != null) {
				watching.remove(connection.id());
				if (watching.isEmpty()) {
					this.watchers.remove(pattern);
				}
			}
		}
	}

	void connectionClosed(ServerConnection connection) {
		synchronized (this.lock) {
			this.watchers.values().forEach((watching) -> watching.remove(connection.id()));
			this.watchers.values().removeIf(Map::isEmpty);
		}
	}

	void clear() {
		synchronized (this.lock) {
			this.watchers.clear();
		}
	}

	/**
	 * Tells every connection whose pattern matches that a resource appeared or
	 * disappeared.
	 */
	void changed(String key, Resource resource, boolean added) {
		List<ServerConnection> targets = new ArrayList<>();
		synchronized (this.lock) {
			this.watchers.forEach((pattern, watching) -> {
				if (FuzzyGroupKeyPattern.matchPattern(pattern, resource.name(), resource.group(),
						resource.namespace())) {
					watching.values().stream().filter((c) -> !targets.contains(c)).forEach(targets::add);
				}
			});
		}
		if (targets.isEmpty()) {
			return;
		}
		this.sender.execute(() -> targets.forEach((target) -> send(target, this.messages.change(key, added))));
	}

	void shutdown() {
		this.sender.shutdownNow();
	}

	private void sync(ServerConnection connection, String pattern, List<String[]> diff, boolean initializing) {
		int total = (diff.size() + this.batchSize - 1) / this.batchSize;
		for (int batch = 0; batch < total; batch++) {
			Map<String, Boolean> contexts = new LinkedHashMap<>();
			diff.subList(batch * this.batchSize, Math.min((batch + 1) * this.batchSize, diff.size()))
				.forEach((entry) -> contexts.put(entry[0], entry[1].equals("add")));
			Request request = this.messages.sync(pattern, initializing, contexts, total, batch + 1);
			if (!send(connection, request)) {
				return;
			}
		}
		if (initializing) {
			send(connection, this.messages.finish(pattern));
		}
	}

	private static boolean send(ServerConnection connection, Request request) {
		try {
			connection.push(request).get(10, TimeUnit.SECONDS);
			return true;
		}
		catch (Exception ex) {
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			logger.debug("Fuzzy watch notice to {} failed: {}", connection.id(), ex.toString());
			return false;
		}
	}

	/**
	 * A watched resource's coordinates.
	 *
	 * @param namespace the namespace
	 * @param group the group
	 * @param name the service name or data id
	 */
	record Resource(String namespace, String group, String name) {
	}

	/** The request types of one kind of resource. */
	interface Messages {

		Request sync(String pattern, boolean initializing, Map<String, Boolean> addedByKey, int totalBatch,
				int currentBatch);

		Request finish(String pattern);

		Request change(String key, boolean added);

	}

	static <T> Map<String, Resource> index(Iterable<T> items, Function<T, String> key, Function<T, Resource> resource) {
		Map<String, Resource> index = new LinkedHashMap<>();
		items.forEach((item) -> index.put(key.apply(item), resource.apply(item)));
		return index;
	}

}
