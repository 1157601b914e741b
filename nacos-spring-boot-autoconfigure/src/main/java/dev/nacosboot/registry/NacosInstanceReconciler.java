package dev.nacosboot.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.client.discovery.event.InstanceRegisteredEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The one writer of what Nacos holds for this application's instance. It owns the desired
 * state - whether the instance should be registered, the reasons it is out of traffic
 * (readiness, an operator's drain, a health group, shutdown), the warm-up weight and the
 * metadata published at runtime (such as the load) - and is the only thing that sends it
 * to the server. Everything else submits intents ({@link #register(int)},
 * {@link #takeOutOfTraffic}, {@link #putBackInTraffic}, {@link #publishMetadata}) and
 * gets a future that completes when Nacos holds a state that includes the intent (shared
 * by the intents of one state: wait on it, never complete it).
 * <p>
 * Each pass sends the whole desired instance, so no intent can undo another: a load
 * publication or a warm-up step of a drained instance stays drained, and the client's
 * redo data (what it re-registers after a reconnect or a server restart) is always the
 * last state sent. Passes run one at a time on the given scheduler; an intent that
 * arrives during a pass is sent right after it. While the server is unreachable, passes
 * are retried with exponential backoff and jitter, logging one warning. An instance the
 * server refuses as invalid is not sent again until the next intent: an update keeps the
 * metadata the server last accepted and applies the rest (so a drain is never lost to a
 * refused metadata entry), a first registration is withdrawn from the client's redo. One
 * error names the server's reason.
 * <p>
 * {@link #stop()} deregisters on the caller's thread after the pass in flight, and waits,
 * bounded by the deregistration timeout, until other clients can no longer choose the
 * instance.
 */
public class NacosInstanceReconciler implements DisposableBean {

	private static final Log logger = LogFactory.getLog(NacosInstanceReconciler.class);

	private static final int WARMUP_STEPS = 10;

	private final NacosRegistration registration;

	private final Supplier<NamingService> namingService;

	private final TaskScheduler scheduler;

	private final ApplicationEventPublisher events;

	private final Settings settings;

	private final ExponentialBackOff backOff;

	private final Object lock = new Object();

	// The desired state: these fields and the registration's port, weight, reasons and
	// metadata, all written under the lock.

	private final Set<OutOfTrafficReason> reasons = EnumSet.noneOf(OutOfTrafficReason.class);

	private boolean wanted;

	private boolean stopped;

	private long desiredVersion;

	// What the server holds.

	private boolean registered;

	// A registration was sent since the last deregistration: the client's redo data may
	// hold it even when the server never answered.
	private boolean sent;

	private @Nullable Instance accepted;

	private long appliedVersion = -1;

	private long refusedVersion = -1;

	// Desired metadata the server refused: later passes send the accepted metadata
	// instead until it changes.
	private @Nullable Map<String, String> refusedMetadata;

	private boolean refusalLogged;

	// The pass.

	private boolean passRunning;

	private @Nullable ScheduledFuture<?> scheduledPass;

	private boolean retryScheduled;

	private @Nullable BackOffExecution retries;

	private int failures;

	private @Nullable CompletableFuture<Void> firstAttempt;

	private final List<Pending> pending = new ArrayList<>();

	// The warm-up.

	private boolean warmupBegun;

	private long warmupStartNanos;

	private @Nullable ScheduledFuture<?> warmupStep;

	private @Nullable OwnInstanceWatch watch;

	/**
	 * Creates the reconciler of an instance.
	 * @param registration the instance, whose changing parts only this reconciler writes
	 * @param namingService the client that registers it
	 * @param scheduler runs the passes, retries and warm-up steps
	 * @param events receives {@link InstanceRegisteredEvent} once registered
	 * @param settings behaviour settings
	 */
	public NacosInstanceReconciler(NacosRegistration registration, NamingService namingService, TaskScheduler scheduler,
			ApplicationEventPublisher events, Settings settings) {
		this(registration, () -> namingService, scheduler, events, settings);
	}

	/**
	 * Creates the reconciler of an instance on a client created at its first use, on the
	 * scheduler.
	 * @param registration the instance, whose changing parts only this reconciler writes
	 * @param namingService the client that registers it
	 * @param scheduler runs the passes, retries and warm-up steps
	 * @param events receives {@link InstanceRegisteredEvent} once registered
	 * @param settings behaviour settings
	 */
	public NacosInstanceReconciler(NacosRegistration registration, Supplier<NamingService> namingService,
			TaskScheduler scheduler, ApplicationEventPublisher events, Settings settings) {
		this.registration = registration;
		this.namingService = namingService;
		this.scheduler = scheduler;
		this.events = events;
		this.settings = settings;
		this.backOff = backOff(settings.initialInterval(), settings.maxInterval());
	}

	/**
	 * The retry policy: doubling from the initial interval up to the maximum, each delay
	 * varied by up to a fifth of itself (never below the initial interval), so that
	 * instances that lost the server together do not retry together.
	 * @param initialInterval first delay
	 * @param maxInterval longest delay
	 * @return the policy
	 */
	static ExponentialBackOff backOff(Duration initialInterval, Duration maxInterval) {
		long initial = Math.max(1, initialInterval.toMillis());
		ExponentialBackOff backOff = new ExponentialBackOff(initial, 2);
		backOff.setMaxInterval(Math.max(initial, maxInterval.toMillis()));
		backOff.setJitter(initial / 5);
		return backOff;
	}

	Settings getSettings() {
		return this.settings;
	}

	public NacosRegistration getRegistration() {
		return this.registration;
	}

	/**
	 * Wants the instance registered, with the given port unless it is 0; a no-op when it
	 * is already wanted or the reconciler stopped.
	 * @param port the port to register, or 0 to keep the registration's
	 * @return the outcome of the first attempt: completes when the server accepted the
	 * instance, exceptionally with the {@link NacosRegistrationException} of the first
	 * failure (later attempts continue in the background unless fail-fast is on)
	 */
	public CompletableFuture<Void> register(int port) {
		synchronized (this.lock) {
			if (this.stopped) {
				return CompletableFuture.completedFuture(null);
			}
			if (this.wanted) {
				return (this.firstAttempt != null) ? this.firstAttempt : CompletableFuture.completedFuture(null);
			}
			if (port > 0) {
				this.registration.setPort(port);
			}
			this.wanted = true;
			CompletableFuture<Void> first = new CompletableFuture<>();
			this.firstAttempt = first;
			changed();
			return first;
		}
	}

	/**
	 * Takes the instance out of traffic for a reason; it is back when no reason holds.
	 * @param reason why ({@link OutOfTrafficReason#SHUTDOWN} is the reconciler's own)
	 * @return completes when Nacos holds the change (at once while not registered)
	 */
	public CompletableFuture<Void> takeOutOfTraffic(OutOfTrafficReason reason) {
		requireSubmittable(reason);
		synchronized (this.lock) {
			if (!this.stopped && this.reasons.add(reason)) {
				changed();
				if (this.wanted) {
					logger.info("Out of traffic (" + reason.description() + "): " + this.registration);
				}
			}
			return whenApplied();
		}
	}

	/**
	 * Withdraws a reason for being out of traffic.
	 * @param reason the reason that no longer holds
	 * @return completes when Nacos holds the change (at once while not registered)
	 */
	public CompletableFuture<Void> putBackInTraffic(OutOfTrafficReason reason) {
		requireSubmittable(reason);
		synchronized (this.lock) {
			if (!this.stopped && this.reasons.remove(reason)) {
				changed();
				if (this.wanted) {
					logger.info((this.reasons.isEmpty() ? "Back in traffic (" + reason + " withdrawn): "
							: "Still out of traffic for " + this.reasons + " (" + reason + " withdrawn): ")
							+ this.registration);
				}
			}
			return whenApplied();
		}
	}

	/**
	 * The reasons that hold now.
	 * @return the reasons, empty when the instance may take traffic
	 */
	public Set<OutOfTrafficReason> outOfTrafficReasons() {
		return this.registration.getOutOfTrafficReasons();
	}

	/**
	 * Sets a metadata entry of the instance. Announce it at startup with
	 * {@link NacosRegistration#reserveMetadata}, so that the size check counts it.
	 * @param key the key
	 * @param value the value
	 * @return completes when Nacos holds the change (at once while not registered)
	 */
	public CompletableFuture<Void> publishMetadata(String key, String value) {
		synchronized (this.lock) {
			if (!this.stopped && !value.equals(this.registration.getMetadata().put(key, value))) {
				changed();
			}
			return whenApplied();
		}
	}

	/**
	 * Whether the server holds the instance.
	 * @return whether registered
	 */
	public boolean isRegistered() {
		synchronized (this.lock) {
			return this.registered;
		}
	}

	/**
	 * Whether the server holds the desired state: registered as it should be, or
	 * registered nowhere while not wanted.
	 * @return whether nothing is left to send
	 */
	public boolean isInSync() {
		synchronized (this.lock) {
			return (this.wanted) ? this.registered && this.appliedVersion == this.desiredVersion
					: !this.registered && !this.passRunning;
		}
	}

	/**
	 * Wants the instance unregistered and deregisters it now, on the caller's thread,
	 * after the pass in flight. Later intents change the desired state without
	 * registering it again until {@link #register(int)}.
	 * @throws NacosRegistrationException when the server cannot be reached or refuses it
	 */
	public void deregister() {
		boolean send;
		synchronized (this.lock) {
			if (this.stopped) {
				return;
			}
			this.wanted = false;
			this.desiredVersion++;
			claimPass();
			send = this.sent;
		}
		try {
			if (send) {
				sendDeregistration();
			}
		}
		catch (NacosException ex) {
			throw new NacosRegistrationException("Could not deregister " + this.registration + ": " + ex.getErrMsg(),
					ex);
		}
		finally {
			releaseUnregistered();
		}
	}

	/**
	 * Takes the instance out for good: deregisters it (when the server may hold it) on
	 * the caller's thread and waits, bounded by the deregistration timeout, until the
	 * naming client's view of the service - what every subscriber of its server is pushed
	 * - no longer lists it, then for the propagation margin (subscribers of other members
	 * of a cluster learn of it later). Nothing is sent afterwards. Idempotent.
	 */
	public void stop() {
		boolean send;
		boolean await;
		synchronized (this.lock) {
			if (this.stopped) {
				return;
			}
			this.stopped = true;
			this.reasons.add(OutOfTrafficReason.SHUTDOWN);
			this.registration.setOutOfTrafficReasons(this.reasons);
			cancel(this.warmupStep);
			this.warmupStep = null;
			claimPass();
			send = this.sent;
			await = send && this.registered;
			this.wanted = false;
		}
		OwnInstanceWatch watch = this.watch;
		try {
			if (send) {
				sendDeregistration();
				if (await && watch != null && "UP".equals(this.namingService.get().getServerStatus())) {
					Duration timeout = this.settings.deregistrationTimeout();
					if (!watch.awaitGone(timeout)) {
						logger.info("Nacos did not confirm the removal of " + this.registration + " within " + timeout
								+ "; continuing the shutdown");
					}
					else {
						awaitPropagation();
					}
				}
			}
		}
		catch (NacosException | RuntimeException ex) {
			logger.warn("Could not deregister " + this.registration + " (" + rootMessage(ex) + ")"
					+ (this.registration.isEphemeral()
							? "; the server removes an ephemeral instance when the connection closes" : ""));
		}
		finally {
			if (watch != null) {
				closeInBackground(watch);
			}
			releaseUnregistered();
		}
	}

	// The server pushes the removal to every subscriber at once, but each receives it
	// on its own schedule: a slower host or a busy client still lists the instance for a
	// moment after this application's own client stopped doing so. In a cluster, the
	// other members push it only after the members' sync (see ShutdownPropagation).
	private void awaitPropagation() {
		Duration margin = this.settings.propagationMargin();
		if (margin.isZero()) {
			return;
		}
		try {
			Thread.sleep(margin.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Stops when the context is destroyed without having been closed normally (a failed
	 * startup), so that no retry outlives it.
	 */
	@Override
	public void destroy() {
		stop();
	}

	// Unsubscribing is a round trip to the server that nothing waits for: it overlaps
	// the rest of the shutdown (the scheduler finishes it before it is destroyed).
	private void closeInBackground(OwnInstanceWatch watch) {
		try {
			this.scheduler.schedule(watch::close, Instant.now());
		}
		catch (TaskRejectedException ex) {
			watch.close();
		}
	}

	private void sendDeregistration() throws NacosException {
		this.namingService.get()
			.deregisterInstance(this.registration.getServiceId(), this.registration.getGroup(),
					this.registration.toInstance());
		logger.info("Deregistered " + this.registration);
	}

	// Under the lock: cancels the queued pass, waits for the one in flight (or another
	// caller's deregistration), and keeps any other from starting until released.
	private void claimPass() {
		cancel(this.scheduledPass);
		this.scheduledPass = null;
		this.retryScheduled = false;
		boolean interrupted = false;
		while (this.passRunning) {
			try {
				this.lock.wait();
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
		this.passRunning = true;
	}

	private void releaseUnregistered() {
		synchronized (this.lock) {
			this.registered = false;
			this.sent = false;
			this.accepted = null;
			this.retries = null;
			this.failures = 0;
			this.passRunning = false;
			this.lock.notifyAll();
			completePending(Long.MAX_VALUE, null);
			complete(this.firstAttempt, null);
			this.firstAttempt = null;
		}
	}

	private static void requireSubmittable(OutOfTrafficReason reason) {
		if (reason == OutOfTrafficReason.SHUTDOWN) {
			throw new IllegalArgumentException("SHUTDOWN is set by the reconciler when it stops");
		}
	}

	// Under the lock: the desired state changed.
	private void changed() {
		this.desiredVersion++;
		this.registration.setOutOfTrafficReasons(this.reasons);
		beginWarmupIfDue();
		requestPass();
	}

	// Under the lock.
	private CompletableFuture<Void> whenApplied() {
		if (!this.wanted || this.stopped || (this.registered && this.appliedVersion == this.desiredVersion)
				|| this.refusedVersion == this.desiredVersion) {
			return CompletableFuture.completedFuture(null);
		}
		// One future per desired state: an intent that changes nothing (a health check
		// confirming its reason every interval during an outage) adds none.
		if (!this.pending.isEmpty()) {
			Pending last = this.pending.get(this.pending.size() - 1);
			if (last.version() == this.desiredVersion) {
				return last.future();
			}
		}
		Pending intent = new Pending(this.desiredVersion, new CompletableFuture<>());
		this.pending.add(intent);
		return intent.future();
	}

	// Under the lock: completes the intents up to a version, now or (when a list is
	// given) once the caller runs the list.
	private void completePending(long upToVersion, @Nullable Throwable failure) {
		List<CompletableFuture<Void>> due = new ArrayList<>();
		takePending(upToVersion, due);
		due.forEach((future) -> complete(future, failure));
	}

	private void takePending(long upToVersion, List<CompletableFuture<Void>> due) {
		for (Iterator<Pending> iterator = this.pending.iterator(); iterator.hasNext();) {
			Pending intent = iterator.next();
			if (intent.version() <= upToVersion) {
				iterator.remove();
				due.add(intent.future());
			}
		}
	}

	// Under the lock: makes sure a pass runs soon. A running pass picks the change up
	// before it ends; a change cuts a backoff wait short, so that the latest state is
	// sent (and is what the client's redo re-registers) without waiting.
	private void requestPass() {
		if (this.stopped || !this.wanted || this.passRunning) {
			return;
		}
		if (this.scheduledPass != null) {
			if (!this.retryScheduled || !this.scheduledPass.cancel(false)) {
				return;
			}
		}
		schedulePass(Duration.ZERO);
	}

	// Under the lock.
	private void schedulePass(Duration delay) {
		try {
			this.scheduledPass = this.scheduler.schedule(this::pass, Instant.now().plus(delay));
			this.retryScheduled = !delay.isZero();
		}
		catch (TaskRejectedException ex) {
			// The scheduler shuts down with the context, which stops this reconciler.
			this.scheduledPass = null;
			this.retryScheduled = false;
		}
	}

	private void pass() {
		Attempt attempt;
		while ((attempt = nextAttempt()) != null) {
			Result result;
			try {
				result = send(attempt);
			}
			catch (RuntimeException ex) {
				result = Result.failed(ex);
			}
			if (!settle(attempt, result)) {
				return;
			}
		}
	}

	// Claims the pass and snapshots the desired state, or null when there is nothing to
	// send.
	private @Nullable Attempt nextAttempt() {
		synchronized (this.lock) {
			this.scheduledPass = null;
			this.retryScheduled = false;
			if (this.passRunning || this.stopped || !this.wanted
					|| (this.registered && this.appliedVersion == this.desiredVersion)
					|| this.refusedVersion == this.desiredVersion) {
				return null;
			}
			this.passRunning = true;
			Instance instance = this.registration.toInstance();
			Instance accepted = this.accepted;
			if (accepted != null && instance.getMetadata().equals(this.refusedMetadata)) {
				instance.setMetadata(new HashMap<>(accepted.getMetadata()));
			}
			return new Attempt(this.desiredVersion, instance, accepted, this.firstAttempt);
		}
	}

	// Runs holding the pass: nothing else talks to the server for the instance meanwhile.
	private Result send(Attempt attempt) {
		try {
			registerInstance(attempt.instance());
			if (this.watch == null && !this.settings.deregistrationTimeout().isZero()) {
				this.watch = OwnInstanceWatch.subscribe(this.namingService.get(), this.registration,
						this.settings.pushEmptyProtection());
			}
			return Result.accepted(attempt.instance(), null);
		}
		catch (NacosException ex) {
			if (!NacosRegistrationException.isInvalidInstance(ex)) {
				return Result.failed(ex);
			}
			return refused(attempt, ex);
		}
	}

	// The server refused the instance as invalid: keep what it holds (the client's redo
	// data goes back to it too, or a reconnect would send the refused one and lose the
	// registration), and apply the traffic state with the metadata it accepted before.
	private Result refused(Attempt attempt, NacosException refusal) {
		Instance accepted = attempt.accepted();
		if (accepted == null) {
			withdraw(attempt.instance());
			return Result.refused(refusal);
		}
		if (!accepted.getMetadata().equals(attempt.instance().getMetadata())) {
			Instance withAcceptedMetadata = copy(attempt.instance());
			withAcceptedMetadata.setMetadata(new HashMap<>(accepted.getMetadata()));
			try {
				registerInstance(withAcceptedMetadata);
				return Result.accepted(withAcceptedMetadata, refusal);
			}
			catch (NacosException | RuntimeException ex) {
				logger.debug("The instance with its accepted metadata was not taken either: " + rootMessage(ex));
			}
		}
		try {
			registerInstance(accepted);
		}
		catch (NacosException | RuntimeException ex) {
			logger.debug("Could not restore the accepted instance: " + rootMessage(ex));
		}
		return Result.refused(refusal);
	}

	// The client keeps a refused ephemeral instance for its redo task, which would send
	// it again every few seconds; deregistering drops it. Sent without metadata, which
	// may be the very reason of the refusal.
	private void withdraw(Instance refused) {
		if (!refused.isEphemeral()) {
			return;
		}
		Instance withdrawn = copy(refused);
		withdrawn.setMetadata(new HashMap<>());
		try {
			this.namingService.get()
				.deregisterInstance(this.registration.getServiceId(), this.registration.getGroup(), withdrawn);
		}
		catch (NacosException | RuntimeException ex) {
			logger.debug("Could not withdraw the refused instance: " + rootMessage(ex));
		}
	}

	private void registerInstance(Instance instance) throws NacosException {
		this.namingService.get()
			.registerInstance(this.registration.getServiceId(), this.registration.getGroup(), instance);
	}

	// Records the result, releases the pass and schedules what follows; returns whether
	// to go on with the next attempt now.
	private boolean settle(Attempt attempt, Result result) {
		boolean firstRegistration = false;
		int previousFailures;
		boolean logRefusal = false;
		boolean logFailure = false;
		boolean more;
		List<CompletableFuture<Void>> due = new ArrayList<>();
		Throwable dueFailure = null;
		synchronized (this.lock) {
			this.passRunning = false;
			this.lock.notifyAll();
			previousFailures = this.failures;
			this.sent = this.sent || result.instance() != null || result.failure() != null;
			if (result.instance() != null) {
				firstRegistration = !this.registered;
				this.registered = true;
				this.accepted = result.instance();
				this.appliedVersion = attempt.version();
				this.failures = 0;
				this.retries = null;
				if (result.refusal() != null) {
					this.refusedMetadata = attempt.instance().getMetadata();
					logRefusal = !this.refusalLogged;
					this.refusalLogged = true;
				}
				else {
					this.refusalLogged = false;
				}
				takePending(attempt.version(), due);
				addIfPresent(due, attempt.firstAttempt());
			}
			else if (result.refusal() != null) {
				this.refusedVersion = attempt.version();
				this.failures = 0;
				this.retries = null;
				if (!this.registered) {
					// Withdrawn: nothing left in the client's redo data.
					this.sent = false;
				}
				logRefusal = !this.refusalLogged;
				this.refusalLogged = true;
				dueFailure = refusal(result.refusal(), this.registered);
				takePending(attempt.version(), due);
				addIfPresent(due, attempt.firstAttempt());
				if (attempt.firstAttempt() != null && this.settings.failFast()) {
					this.wanted = false;
				}
			}
			else {
				this.failures++;
				Throwable failure = Objects.requireNonNull(result.failure());
				logFailure = this.failures == 1 && !(this.settings.failFast() && attempt.firstAttempt() != null);
				if (attempt.firstAttempt() != null) {
					// Only the first attempt reports a failure; intents wait for the
					// retries.
					attempt.firstAttempt()
						.completeExceptionally(new NacosRegistrationException(
								"Could not register " + this.registration + ": " + rootMessage(failure), failure));
				}
				if (attempt.firstAttempt() != null && this.settings.failFast()) {
					this.wanted = false;
				}
			}
			if (attempt.firstAttempt() != null && attempt.firstAttempt() == this.firstAttempt) {
				this.firstAttempt = null;
			}
			more = !this.stopped && this.wanted && this.desiredVersion != attempt.version();
			if (!more && result.instance() == null && result.refusal() == null && !this.stopped && this.wanted) {
				if (this.retries == null) {
					this.retries = this.backOff.start();
				}
				schedulePass(Duration.ofMillis(this.retries.nextBackOff()));
			}
		}
		// Announced before the waiting callers go on.
		report(result, firstRegistration, previousFailures, logRefusal, logFailure);
		for (CompletableFuture<Void> future : due) {
			complete(future, dueFailure);
		}
		return more;
	}

	private void report(Result result, boolean firstRegistration, int previousFailures, boolean logRefusal,
			boolean logFailure) {
		NacosException refusal = result.refusal();
		if (refusal != null) {
			if (logRefusal) {
				logger.error(refusalMessage(refusal, result.instance() != null));
			}
			else if (logger.isDebugEnabled()) {
				logger.debug("Refused again: " + refusal.getErrMsg());
			}
		}
		else if (result.failure() != null) {
			if (logFailure) {
				logger.warn("Could not " + (isRegistered() ? "update " : "register ") + this.registration
						+ " in Nacos at " + this.settings.serverDescription() + " (" + rootMessage(result.failure())
						+ "); retrying in the background with backoff up to " + this.settings.maxInterval());
			}
			else if (logger.isDebugEnabled()) {
				logger.debug("Attempt " + (previousFailures + 1) + " failed: " + rootMessage(result.failure()));
			}
		}
		if (firstRegistration) {
			logger.info("Registered " + this.registration + " in Nacos"
					+ ((previousFailures > 0) ? " after " + (previousFailures + 1) + " attempts" : ""));
			this.events.publishEvent(new InstanceRegisteredEvent<>(this, this.registration));
		}
	}

	private String refusalMessage(NacosException refusal, boolean appliedWithAcceptedMetadata) {
		String server = "Nacos at " + this.settings.serverDescription();
		if (appliedWithAcceptedMetadata) {
			return server + " refused the metadata of " + this.registration + ": " + refusal.getErrMsg()
					+ "; the instance keeps the metadata the server accepted before, the rest of the update applies";
		}
		if (isRegistered()) {
			return server + " refused an update of " + this.registration + ": " + refusal.getErrMsg()
					+ "; the instance stays registered as it was";
		}
		return server + " refused to register " + this.registration + ": " + refusal.getErrMsg()
				+ "; not retrying, the instance stays unregistered until its settings are fixed";
	}

	private NacosRegistrationException refusal(NacosException refusal, boolean update) {
		return new NacosRegistrationException(
				"Nacos at " + this.settings.serverDescription() + " refused "
						+ (update ? "an update of " : "to register ") + this.registration + ": " + refusal.getErrMsg(),
				refusal);
	}

	private static void addIfPresent(List<CompletableFuture<Void>> futures, @Nullable CompletableFuture<Void> future) {
		if (future != null) {
			futures.add(future);
		}
	}

	private static void complete(@Nullable CompletableFuture<Void> future, @Nullable Throwable failure) {
		if (future == null) {
			return;
		}
		if (failure != null) {
			future.completeExceptionally(failure);
		}
		else {
			future.complete(null);
		}
	}

	// Under the lock: the ramp starts the first time the instance is wanted and ready.
	private void beginWarmupIfDue() {
		Duration warmup = this.settings.warmup();
		if (this.warmupBegun || !this.wanted || this.reasons.contains(OutOfTrafficReason.READINESS) || warmup == null
				|| warmup.isZero()) {
			return;
		}
		this.warmupBegun = true;
		this.warmupStartNanos = System.nanoTime();
		this.registration.setCurrentWeight(weightAt(0));
		scheduleWarmupStep(warmup);
	}

	// Under the lock.
	private void scheduleWarmupStep(Duration warmup) {
		try {
			this.warmupStep = this.scheduler.schedule(this::warmupStep,
					Instant.now().plusNanos(warmup.toNanos() / WARMUP_STEPS));
		}
		catch (TaskRejectedException ex) {
			this.warmupStep = null;
		}
	}

	private void warmupStep() {
		synchronized (this.lock) {
			Duration warmup = this.settings.warmup();
			if (this.stopped || warmup == null) {
				return;
			}
			float weight = weightAt(System.nanoTime() - this.warmupStartNanos);
			this.registration.setCurrentWeight(weight);
			changed();
			this.warmupStep = null;
			if (weight < this.registration.getWeight()) {
				scheduleWarmupStep(warmup);
			}
		}
	}

	private float weightAt(long elapsedNanos) {
		float full = this.registration.getWeight();
		Duration warmup = this.settings.warmup();
		if (warmup == null || elapsedNanos >= warmup.toNanos()) {
			return full;
		}
		double ratio = this.settings.warmupInitialWeightRatio();
		double fraction = ratio + (1 - ratio) * ((double) elapsedNanos / warmup.toNanos());
		return (float) Math.min(full, full * fraction);
	}

	private static void cancel(@Nullable ScheduledFuture<?> future) {
		if (future != null) {
			future.cancel(false);
		}
	}

	private static Instance copy(Instance source) {
		Instance copy = new Instance();
		copy.setInstanceId(source.getInstanceId());
		copy.setServiceName(source.getServiceName());
		copy.setIp(source.getIp());
		copy.setPort(source.getPort());
		copy.setClusterName(source.getClusterName());
		copy.setWeight(source.getWeight());
		copy.setEphemeral(source.isEphemeral());
		copy.setEnabled(source.isEnabled());
		copy.setHealthy(source.isHealthy());
		copy.setMetadata(new LinkedHashMap<>(source.getMetadata()));
		return copy;
	}

	static String rootMessage(Throwable ex) {
		Throwable root = NestedExceptionUtils.getMostSpecificCause(ex);
		if (root instanceof NacosException nacos && nacos.getErrMsg() != null) {
			return nacos.getErrMsg();
		}
		return (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
	}

	private record Pending(long version, CompletableFuture<Void> future) {
	}

	private record Attempt(long version, Instance instance, @Nullable Instance accepted,
			@Nullable CompletableFuture<Void> firstAttempt) {
	}

	// Accepted (instance set, refusal set when only with the accepted metadata), refused,
	// or failed.
	private record Result(@Nullable Instance instance, @Nullable NacosException refusal, @Nullable Throwable failure) {

		static Result accepted(Instance instance, @Nullable NacosException metadataRefusal) {
			return new Result(instance, metadataRefusal, null);
		}

		static Result refused(NacosException refusal) {
			return new Result(null, refusal, null);
		}

		static Result failed(Throwable failure) {
			return new Result(null, null, failure);
		}

	}

	/**
	 * Behaviour settings of the reconciler.
	 *
	 * @param failFast whether a failed first attempt ends the registration (the caller
	 * fails startup) instead of retrying
	 * @param warmup weight ramp-up time after the instance first becomes ready, or
	 * {@code null}
	 * @param warmupInitialWeightRatio starting fraction of the weight
	 * @param initialInterval first retry delay
	 * @param maxInterval longest retry delay
	 * @param deregistrationTimeout longest wait at shutdown until other clients no longer
	 * see the instance
	 * @param propagationMargin extra wait at shutdown once the own client no longer sees
	 * the instance, for subscribers that learn of the removal later (slower ones, those
	 * of other members of a cluster)
	 * @param pushEmptyProtection whether the naming client ignores pushes of an empty
	 * service (its {@code namingPushEmptyProtection})
	 * @param serverDescription where the server is, for messages
	 */
	public record Settings(boolean failFast, @Nullable Duration warmup, double warmupInitialWeightRatio,
			Duration initialInterval, Duration maxInterval, Duration deregistrationTimeout, Duration propagationMargin,
			boolean pushEmptyProtection, String serverDescription) {

	}

}
