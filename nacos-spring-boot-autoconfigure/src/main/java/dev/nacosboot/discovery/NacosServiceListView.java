package dev.nacosboot.discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.alibaba.nacos.api.common.Constants;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.exception.runtime.NacosRuntimeException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.AbstractFuzzyWatchEventWatcher;
import com.alibaba.nacos.api.naming.listener.FuzzyWatchChangeEvent;
import com.alibaba.nacos.api.naming.pojo.ListView;
import com.alibaba.nacos.api.naming.utils.NamingUtils;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

/**
 * The names of the services in the discovery groups, kept in memory: readers never wait
 * for the network once the first list is known. The server pushes every new and removed
 * service through Nacos 3's fuzzy watch, one watch per group; a server that cannot (Nacos
 * 2.x, a Nacos 3 with fuzzy watch off, or one whose fuzzy-watch limits are reached) is
 * detected once and the list is polled at a fixed interval instead, which one INFO line
 * says. Every change of the list publishes one {@link HeartbeatEvent} through
 * {@link NacosDiscoveryChanges}, and nothing else does: the initial list counts as one
 * change.
 * <p>
 * The events of the client's watch are applied as set operations, so an event that the
 * client reports twice changes nothing the second time.
 */
public class NacosServiceListView implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(NacosServiceListView.class);

	/** Longest wait of a reader for the first list. */
	static final Duration FIRST_LIST_WAIT = Duration.ofSeconds(3);

	/**
	 * Longest time the server may take to send the initial list of a fuzzy watch before
	 * the view polls instead.
	 */
	static final Duration INITIAL_SYNC_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration RECHECK = Duration.ofMillis(20);

	/** A fuzzy-watch pattern matching every service name. */
	private static final String EVERY_SERVICE = "*";

	private static final Duration CONNECTION_RECHECK = Duration.ofSeconds(1);

	private final NacosNamingClient namingService;

	private final List<String> groups;

	private final NacosDiscoveryChanges changes;

	private final BooleanSupplier connected;

	private final TaskScheduler scheduler;

	private final Duration pollInterval;

	private final Object lock = new Object();

	/** Names per group, each an immutable sorted set; guarded by {@link #lock}. */
	private final Map<String, Set<String>> namesByGroup = new LinkedHashMap<>();

	/** Watches per group while the server pushes; guarded by {@link #lock}. */
	private final Map<String, GroupWatch> watches = new LinkedHashMap<>();

	/** The last list published as a change; guarded by {@link #lock}. */
	private List<String> published = List.of();

	private volatile List<String> services = List.of();

	private volatile Source source = Source.NOT_STARTED;

	private final CountDownLatch firstList = new CountDownLatch(1);

	/** The pending task: a connection recheck, the initial sync check or the poll. */
	private @Nullable ScheduledFuture<?> task;

	private boolean everStarted;

	private volatile boolean running;

	/**
	 * Creates a view; it starts with the context, or with the first read.
	 * @param namingService the client
	 * @param groups the discovery groups, in order of precedence
	 * @param changes counts and publishes each change of the list
	 * @param connected whether the client is connected now; must not block
	 * @param scheduler runs the polling and the setup checks
	 * @param pollInterval interval of the polling when the server cannot push
	 */
	public NacosServiceListView(NamingService namingService, List<String> groups, NacosDiscoveryChanges changes,
			BooleanSupplier connected, TaskScheduler scheduler, Duration pollInterval) {
		this(NacosNamingClient.of(namingService), groups, changes, connected, scheduler, pollInterval);
	}

	/**
	 * Creates a view on a client that may not exist yet: a read before the first list
	 * creates it; otherwise the view waits for it.
	 * @param namingService the client's holder
	 * @param groups the discovery groups, in order of precedence
	 * @param changes counts and publishes each change of the list
	 * @param connected whether the client is connected now; must not block
	 * @param scheduler runs the polling and the setup checks
	 * @param pollInterval interval of the polling when the server cannot push
	 */
	public NacosServiceListView(NacosNamingClient namingService, List<String> groups, NacosDiscoveryChanges changes,
			BooleanSupplier connected, TaskScheduler scheduler, Duration pollInterval) {
		this.namingService = namingService;
		this.groups = List.copyOf(groups);
		this.changes = changes;
		this.connected = connected;
		this.scheduler = scheduler;
		this.pollInterval = pollInterval;
		this.groups.forEach((group) -> this.namesByGroup.put(group, Set.of()));
		namingService.whenCreated((client) -> clientCreated());
	}

	/**
	 * Names of the services in the discovery groups, earlier groups first, from memory. A
	 * call made before the first list is known waits for it, at most 3 seconds, only once
	 * the client is connected (the list is then a request away): not while the client is
	 * still being created or the server is unreachable, so that a health check right
	 * after startup does not wait for the client. The {@code HeartbeatEvent} of the first
	 * list tells readers that answered empty.
	 * @return the service names
	 */
	public List<String> getServices() {
		if (this.firstList.getCount() > 0) {
			startIfNeverStarted();
			if (this.namingService.getIfCreated() != null && this.connected.getAsBoolean()) {
				try {
					this.firstList.await(FIRST_LIST_WAIT.toMillis(), TimeUnit.MILLISECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}
		return this.services;
	}

	/**
	 * Whether the first list is known, so that {@link #getServices()} answers at once.
	 * @return whether it is
	 */
	public boolean isReady() {
		return this.firstList.getCount() == 0;
	}

	/**
	 * Where the list comes from.
	 * @return the source
	 */
	public Source getSource() {
		return this.source;
	}

	@Override
	public void start() {
		synchronized (this.lock) {
			if (this.running) {
				return;
			}
			this.everStarted = true;
			this.running = true;
			this.source = Source.STARTING;
			this.task = this.scheduler.schedule(this::begin, Instant.now());
		}
	}

	/**
	 * Begins at once when the client has just been created, instead of at the next
	 * connection check.
	 */
	void clientCreated() {
		synchronized (this.lock) {
			if (this.running && this.source == Source.STARTING) {
				cancelTask();
				this.task = this.scheduler.schedule(this::begin, Instant.now());
			}
		}
	}

	// A read before the context starts the view starts it; a read after it stopped does
	// not.
	private void startIfNeverStarted() {
		synchronized (this.lock) {
			if (this.everStarted) {
				return;
			}
		}
		start();
	}

	@Override
	public void stop() {
		List<GroupWatch> cancelled;
		synchronized (this.lock) {
			this.running = false;
			cancelTask();
			cancelled = new ArrayList<>(this.watches.values());
			this.watches.clear();
		}
		cancelled.forEach(this::cancel);
		this.firstList.countDown();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		// Starts before, and stops after, the web server and the other default-phase
		// beans.
		return 0;
	}

	// Which server is there, and so whether it pushes, is known only once connected.
	private void begin() {
		synchronized (this.lock) {
			if (!this.running) {
				return;
			}
			if (!this.connected.getAsBoolean()) {
				// Readers must not wait for a server that is not there, but do wait for
				// a client that is being created.
				if (this.namingService.getIfCreated() != null) {
					this.firstList.countDown();
				}
				this.task = this.scheduler.schedule(this::begin, Instant.now().plus(CONNECTION_RECHECK));
				return;
			}
		}
		String refusal = watchEveryGroup();
		if (refusal != null) {
			fallBackToPolling(refusal);
			return;
		}
		Instant deadline = Instant.now().plus(INITIAL_SYNC_TIMEOUT);
		synchronized (this.lock) {
			if (this.running && this.source == Source.STARTING) {
				this.source = Source.FUZZY_WATCH;
				this.task = this.scheduler.scheduleWithFixedDelay(() -> checkInitialSync(deadline), RECHECK);
			}
		}
	}

	/**
	 * Watches every group.
	 * @return why the server cannot push, {@code null} when it can
	 */
	private @Nullable String watchEveryGroup() {
		for (String group : this.groups) {
			GroupWatch watch = new GroupWatch(group);
			synchronized (this.lock) {
				if (!this.running) {
					return null;
				}
				// Before the watch starts: its first events may come before it returns.
				this.watches.put(group, watch);
			}
			try {
				// Not fuzzyWatch(group, ...): its service pattern ".*" matches only
				// names that start with a dot.
				watch.initialList = this.namingService.get().fuzzyWatchWithServiceKeys(EVERY_SERVICE, group, watch);
			}
			catch (NacosRuntimeException ex) {
				return (ex.getErrCode() == NacosException.SERVER_NOT_IMPLEMENTED)
						? "does not push the service list (no fuzzy watch: a Nacos 2.x server, "
								+ "or nacos.core.ability.fuzzyWatch=false)"
						: "refused to fuzzy-watch the services of group " + group + " (" + ex.getMessage() + ")";
			}
			catch (NacosException | RuntimeException ex) {
				return "refused to fuzzy-watch the services of group " + group + " (" + ex.getMessage() + ")";
			}
		}
		return null;
	}

	private void checkInitialSync(Instant deadline) {
		boolean complete = true;
		synchronized (this.lock) {
			if (this.source != Source.FUZZY_WATCH) {
				return;
			}
			for (GroupWatch watch : this.watches.values()) {
				if (!watch.initialized) {
					complete &= watch.completeInitialList();
				}
			}
			if (complete) {
				cancelTask();
			}
		}
		if (complete) {
			this.firstList.countDown();
			publishIfChanged();
		}
		else if (Instant.now().isAfter(deadline)) {
			fallBackToPolling("did not send the initial list of services of a fuzzy watch within "
					+ INITIAL_SYNC_TIMEOUT.toSeconds() + "s");
		}
	}

	private void fallBackToPolling(String reason) {
		List<GroupWatch> cancelled;
		synchronized (this.lock) {
			if (!this.running || this.source == Source.POLLING) {
				return;
			}
			this.source = Source.POLLING;
			cancelTask();
			cancelled = new ArrayList<>(this.watches.values());
			this.watches.clear();
			this.task = this.scheduler.scheduleWithFixedDelay(this::poll, this.pollInterval);
		}
		cancelled.forEach(this::cancel);
		logger.info("Nacos " + reason + "; reading the services of group(s) " + String.join(", ", this.groups)
				+ " every " + this.pollInterval.toMillis() + " ms instead (spring.cloud.nacos.discovery.watch-delay)");
	}

	private void poll() {
		for (String group : this.groups) {
			try {
				ListView<String> page = this.namingService.get().getServicesOfServer(1, Integer.MAX_VALUE, group);
				List<String> names = (page.getData() != null) ? page.getData() : List.of();
				synchronized (this.lock) {
					if (this.source != Source.POLLING) {
						return;
					}
					replace(group, new TreeSet<>(names));
				}
			}
			catch (NacosException | RuntimeException ex) {
				logger.debug("Could not list the Nacos services of group " + group + ", keeping the last known ones: "
						+ ex.getMessage());
			}
		}
		this.firstList.countDown();
		publishIfChanged();
	}

	private void cancel(GroupWatch watch) {
		try {
			this.namingService.get().cancelFuzzyWatch(watch.group, watch);
		}
		catch (NacosException | RuntimeException ex) {
			logger.debug("Could not cancel the fuzzy watch of group " + watch.group + ": " + ex.getMessage());
		}
	}

	private void cancelTask() {
		if (this.task != null) {
			this.task.cancel(false);
			this.task = null;
		}
	}

	/** Replaces the names of a group; called with the lock held. */
	private void replace(String group, Set<String> names) {
		Set<String> current = this.namesByGroup.get(group);
		if (current == null || current.equals(names)) {
			return;
		}
		this.namesByGroup.put(group, Collections.unmodifiableSet(new TreeSet<>(names)));
		Set<String> merged = new LinkedHashSet<>();
		this.namesByGroup.values().forEach(merged::addAll);
		this.services = List.copyOf(merged);
	}

	// Outside the lock, so that listeners never run under it; the list published is the
	// one read under it.
	private void publishIfChanged() {
		List<String> current;
		synchronized (this.lock) {
			current = this.services;
			if (current.equals(this.published) || !isReady()) {
				return;
			}
			this.published = current;
		}
		this.changes.changed(this, () -> "services of group(s) " + this.groups + ": " + current);
	}

	/**
	 * Where the list of services comes from.
	 */
	public enum Source {

		/** Not started yet. */
		NOT_STARTED,

		/** Waiting for the server to tell whether it pushes the list. */
		STARTING,

		/** The server pushes every change of the list (Nacos 3 fuzzy watch). */
		FUZZY_WATCH,

		/** The list is read at a fixed interval ({@code watch-delay}). */
		POLLING

	}

	/**
	 * The fuzzy watch of one group: applies the client's events to the group's names.
	 */
	private final class GroupWatch extends AbstractFuzzyWatchEventWatcher {

		private final String group;

		private @Nullable Future<ListView<String>> initialList;

		/** Whether the initial list arrived; guarded by the view's lock. */
		private boolean initialized;

		GroupWatch(String group) {
			this.group = group;
		}

		@Override
		public void onEvent(FuzzyWatchChangeEvent event) {
			boolean publish;
			synchronized (NacosServiceListView.this.lock) {
				if (NacosServiceListView.this.watches.get(this.group) != this) {
					return;
				}
				Set<String> names = new TreeSet<>(NacosServiceListView.this.namesByGroup.get(this.group));
				boolean changed = Constants.ServiceChangedType.ADD_SERVICE.equals(event.getChangeType())
						? names.add(event.getServiceName())
						: Constants.ServiceChangedType.DELETE_SERVICE.equals(event.getChangeType())
								&& names.remove(event.getServiceName());
				if (!changed) {
					return;
				}
				replace(this.group, names);
				// The initial list is published once, complete.
				publish = this.initialized;
			}
			if (publish) {
				publishIfChanged();
			}
		}

		/**
		 * Takes in the initial list once the server has sent all of it: events of that
		 * list may still be on their way to {@link #onEvent}.
		 * @return whether it has arrived
		 */
		boolean completeInitialList() {
			Future<ListView<String>> list = this.initialList;
			if (list == null || !list.isDone()) {
				return false;
			}
			Set<String> names = new TreeSet<>(NacosServiceListView.this.namesByGroup.get(this.group));
			try {
				List<String> keys = list.get().getData();
				for (String key : (keys != null) ? keys : List.<String>of()) {
					names.add(NamingUtils.parseServiceKey(key)[2]);
				}
			}
			catch (ExecutionException | RuntimeException ex) {
				logger.debug("Could not read the initial fuzzy-watch list of group " + this.group + ": " + ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			replace(this.group, names);
			this.initialized = true;
			return true;
		}

		@Override
		public void onPatternOverLimit() {
			NacosServiceListView.this.scheduler
				.schedule(() -> fallBackToPolling("refused to fuzzy-watch the services of group " + this.group
						+ ": it watches as many patterns as it allows (nacos.naming.fuzzy.watch.max.pattern.count)"),
						Instant.now());
		}

		@Override
		public void onServiceReachUpLimit() {
			NacosServiceListView.this.scheduler.schedule(() -> fallBackToPolling("stops pushing new services of group "
					+ this.group
					+ ": it has more services than a fuzzy watch serves (nacos.naming.fuzzy.watch.max.pattern.match.service.count)"),
					Instant.now());
		}

		@Override
		public @Nullable Executor getExecutor() {
			// Applying an event is a set operation: the client's notifying thread does
			// it.
			return null;
		}

	}

}
