package dev.nacosboot.config;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * The last refreshes of Nacos configs and the last failure per data id, for the health
 * indicator and the {@code nacos} endpoint. Thread-safe.
 */
public class NacosConfigRefreshHistory {

	private final int size;

	private final Deque<Refresh> refreshes = new ArrayDeque<>();

	private final Map<String, Refresh> lastFailures = new LinkedHashMap<>();

	private final List<Consumer<Refresh>> listeners = new CopyOnWriteArrayList<>();

	public NacosConfigRefreshHistory(int size) {
		this.size = Math.max(size, 1);
	}

	void record(Refresh refresh) {
		synchronized (this) {
			this.refreshes.addFirst(refresh);
			while (this.refreshes.size() > this.size) {
				this.refreshes.removeLast();
			}
			if (refresh.outcome().isFailure()) {
				this.lastFailures.put(refresh.propertySourceName(), refresh);
			}
		}
		this.listeners.forEach((listener) -> listener.accept(refresh));
	}

	/**
	 * Hears of every refresh as it is recorded, also those the history no longer holds by
	 * the time someone reads it (metrics count each one).
	 * @param listener called on the refreshing thread; must be quick
	 */
	public void onRecord(Consumer<Refresh> listener) {
		this.listeners.add(listener);
	}

	/** The remembered refreshes, newest first. */
	public synchronized List<Refresh> refreshes() {
		return new ArrayList<>(this.refreshes);
	}

	/**
	 * The last failed refresh of each data id that ever failed, by property source name.
	 */
	public synchronized Map<String, Refresh> lastFailures() {
		return new LinkedHashMap<>(this.lastFailures);
	}

	/**
	 * One refresh.
	 *
	 * @param propertySourceName the name of the data id's property source
	 * @param dataId the data id
	 * @param group the group
	 * @param md5 md5 of the received content
	 * @param changedKeys the keys whose effective value changed (empty unless applied)
	 * @param duration how long parsing, validation and applying took
	 * @param outcome what happened
	 * @param error what went wrong, for failures
	 * @param time when the refresh ended
	 */
	public record Refresh(String propertySourceName, String dataId, String group, String md5, Set<String> changedKeys,
			Duration duration, Outcome outcome, @Nullable String error, Instant time) {
	}

	/**
	 * Outcome of a refresh.
	 */
	public enum Outcome {

		/** The new content is in the Environment. */
		APPLIED,

		/**
		 * The data id was deleted on the server and, not being required, its keys left
		 * the Environment (as a restart would give).
		 */
		REMOVED,

		/**
		 * A required data id was deleted on the server (a restart would fail): its last
		 * good values stay until it comes back.
		 */
		MISSING,

		/**
		 * The content is invalid (malformed, empty or removed); the last good source
		 * stays.
		 */
		INVALID,

		/**
		 * The content would bind invalid values; the old source was kept and no bean saw
		 * the new values.
		 */
		ROLLED_BACK;

		public boolean isFailure() {
			return this != APPLIED && this != REMOVED;
		}

	}

}
