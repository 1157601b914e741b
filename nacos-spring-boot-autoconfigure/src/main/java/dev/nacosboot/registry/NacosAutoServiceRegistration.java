package dev.nacosboot.registry;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.EventListener;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.core.InvalidNacosPropertiesException;
import dev.nacosboot.core.NacosUnavailableException;
import dev.nacosboot.discovery.NacosDiscoveryProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.cloud.client.discovery.event.InstanceRegisteredEvent;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.SmartApplicationListener;

/**
 * Registers this application when its web server is up (or at startup, for an application
 * without one whose port is configured), keeps the instance's routability in step with
 * the readiness state, ramps its weight up during the warm-up, and deregisters it when
 * the context closes, before the web server's graceful shutdown starts.
 * <p>
 * Registration never blocks startup unless fail-fast is on: it runs on one background
 * thread that retries with bounded exponential backoff and jitter while the server is
 * unreachable, logging one warning. An instance the server refuses as invalid is not
 * retried: one error names the server's reason. Every change is applied on that thread,
 * in order.
 */
public class NacosAutoServiceRegistration implements AutoServiceRegistration, SmartApplicationListener, DisposableBean {

	private static final Log logger = LogFactory.getLog(NacosAutoServiceRegistration.class);

	private static final int WARMUP_STEPS = 10;

	private final ApplicationContext context;

	private final NacosServiceRegistry serviceRegistry;

	private final NacosRegistration registration;

	private final NamingService namingService;

	private final Settings settings;

	private final ScheduledExecutorService executor;

	private final Object lock = new Object();

	private boolean started;

	private boolean stopped;

	private boolean registered;

	private boolean everReady;

	private int failures;

	private boolean refusalLogged;

	// What the server last accepted: restored when it refuses a later update of a
	// registered instance.
	private @Nullable Instance lastAccepted;

	private long warmupStartNanos;

	private boolean warmupStepPending;

	private volatile @Nullable VisibilityWatch visibility;

	/**
	 * Creates the lifecycle.
	 * @param context the context whose events drive it (child contexts' events are
	 * ignored)
	 * @param serviceRegistry applies changes
	 * @param registration the instance
	 * @param namingService used to observe the removal at shutdown
	 * @param settings behaviour settings
	 */
	public NacosAutoServiceRegistration(ApplicationContext context, NacosServiceRegistry serviceRegistry,
			NacosRegistration registration, NamingService namingService, Settings settings) {
		this.context = context;
		this.serviceRegistry = serviceRegistry;
		this.registration = registration;
		this.namingService = namingService;
		this.settings = settings;
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, "nacos-registration-" + registration.getServiceId());
			thread.setDaemon(true);
			return thread;
		});
		executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		executor.setRemoveOnCancelPolicy(true);
		this.executor = executor;
		registration.setReady(!settings.readinessGating());
	}

	@Override
	public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
		return ApplicationStartedEvent.class.isAssignableFrom(eventType)
				|| AvailabilityChangeEvent.class.isAssignableFrom(eventType)
				|| ContextClosedEvent.class.isAssignableFrom(eventType);
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if (event instanceof ContextClosedEvent closed && closed.getApplicationContext() == this.context) {
			stop();
		}
		else if (event instanceof ApplicationStartedEvent started && started.getApplicationContext() == this.context
				&& this.settings.configuredPort() > 0) {
			// An application without a web server registers its configured port once
			// started.
			start(this.settings.configuredPort());
		}
		else if (event instanceof AvailabilityChangeEvent<?> change && change.getState() instanceof ReadinessState state
				&& this.settings.readinessGating() && !fromOtherContext(change)) {
			onReadiness(state == ReadinessState.ACCEPTING_TRAFFIC);
		}
	}

	// A child context (e.g. a management server on its own port) announces its own
	// readiness; only the
	// application's (published with this context, or with any non-context source by the
	// application) counts.
	private boolean fromOtherContext(AvailabilityChangeEvent<?> change) {
		return change.getSource() instanceof ApplicationContext source && source != this.context;
	}

	/**
	 * Registers with the given port (unless a port is configured), once. With fail-fast,
	 * registers now and throws {@link NacosUnavailableException} on failure; otherwise
	 * registers in the background.
	 * @param port the web server's port
	 */
	public void start(int port) {
		synchronized (this.lock) {
			if (this.started || this.stopped) {
				return;
			}
			this.started = true;
			this.registration.setPort((this.settings.configuredPort() > 0) ? this.settings.configuredPort() : port);
			if (this.registration.isReady()) {
				beginWarmup();
			}
		}
		if (this.settings.failFast()) {
			try {
				Instance attempted = this.registration.toInstance();
				this.serviceRegistry.register(this.registration);
				synchronized (this.lock) {
					this.lastAccepted = attempted;
				}
				registered(0);
			}
			catch (NacosRegistrationException ex) {
				if (ex.isInvalidInstance()) {
					// Reachable, but the instance is refused: a settings problem, not an
					// outage. Nothing to
					// deregister when the failed context closes.
					synchronized (this.lock) {
						this.refusalLogged = true;
					}
					withdraw();
					throw refusedAtStartup(ex);
				}
				throw new NacosUnavailableException("Could not register " + this.registration + " in Nacos",
						this.settings.serverDescription(), "spring.cloud.nacos.discovery.fail-fast", ex);
			}
			scheduleWarmupStep();
		}
		else {
			submit(this::apply);
		}
	}

	/**
	 * Whether the instance is currently registered.
	 * @return whether registered
	 */
	public boolean isRegistered() {
		synchronized (this.lock) {
			return this.registered;
		}
	}

	boolean isBackgroundTerminated() {
		return this.executor.isTerminated();
	}

	public NacosRegistration getRegistration() {
		return this.registration;
	}

	private void onReadiness(boolean ready) {
		synchronized (this.lock) {
			if (this.stopped || this.registration.isReady() == ready) {
				return;
			}
			this.registration.setReady(ready);
			if (ready && !this.everReady) {
				beginWarmup();
			}
			if (!this.started) {
				return;
			}
		}
		logger.info((ready ? "Readiness is ACCEPTING_TRAFFIC: enabling " : "Readiness is REFUSING_TRAFFIC: disabling ")
				+ this.registration);
		submit(this::apply);
	}

	private void beginWarmup() {
		this.everReady = true;
		Duration warmup = this.settings.warmup();
		if (warmup != null && !warmup.isZero()) {
			this.warmupStartNanos = System.nanoTime();
			this.registration.setCurrentWeight(weightAt(0));
		}
	}

	// Applies the current desired state; on failure retries with backoff while still
	// wanted.
	private void apply() {
		try {
			Instance attempted = this.registration.toInstance();
			this.serviceRegistry.register(this.registration);
			int previousFailures;
			synchronized (this.lock) {
				previousFailures = this.failures;
				this.failures = 0;
				this.lastAccepted = attempted;
			}
			registered(previousFailures);
			scheduleWarmupStep();
		}
		catch (RuntimeException ex) {
			if (ex instanceof NacosRegistrationException refused && refused.isInvalidInstance()) {
				refused(refused);
				return;
			}
			Duration delay;
			synchronized (this.lock) {
				this.failures++;
				delay = backoff(this.failures);
				if (this.failures == 1) {
					logger.warn("Could not register " + this.registration + " in Nacos at "
							+ this.settings.serverDescription() + " (" + rootMessage(ex) + "); retrying in the "
							+ "background with backoff up to " + this.settings.maxInterval());
				}
				else if (logger.isDebugEnabled()) {
					logger.debug("Registration attempt " + this.failures + " failed: " + rootMessage(ex));
				}
			}
			schedule(this::apply, delay);
		}
	}

	// The same instance would be refused again: no retry. A later change (readiness,
	// status) tries once more.
	// An update of a registered instance leaves the server's copy as it was; the client's
	// redo data goes back to
	// it too, or a reconnect would send the refused one and lose the registration.
	private void refused(NacosRegistrationException ex) {
		boolean first;
		Instance previous;
		synchronized (this.lock) {
			first = !this.refusalLogged;
			this.refusalLogged = true;
			this.failures = 0;
			previous = this.registered ? this.lastAccepted : null;
		}
		String reason = ((NacosException) ex.getCause()).getErrMsg();
		if (previous != null) {
			restore(previous);
			if (first) {
				logger.error("Nacos at " + this.settings.serverDescription() + " refused an update of "
						+ this.registration + ": " + reason + "; the instance stays registered as it was");
			}
			else if (logger.isDebugEnabled()) {
				logger.debug("Update refused again: " + reason);
			}
			return;
		}
		withdraw();
		if (first) {
			logger.error("Nacos at " + this.settings.serverDescription() + " refused to register " + this.registration
					+ ": " + reason + "; not retrying, the instance stays unregistered until its settings are fixed");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Registration refused again: " + reason);
		}
	}

	private void restore(Instance previous) {
		try {
			this.namingService.registerInstance(this.registration.getServiceId(), this.registration.getGroup(),
					previous);
		}
		catch (NacosException | RuntimeException ex) {
			logger.debug("Could not restore the accepted instance: " + ex.getMessage());
		}
	}

	private InvalidNacosPropertiesException refusedAtStartup(NacosRegistrationException ex) {
		String reason = ((NacosException) ex.getCause()).getErrMsg();
		return new InvalidNacosPropertiesException(List
			.of(new InvalidNacosPropertiesException.Violation(NacosDiscoveryProperties.PREFIX, null,
					"Nacos at " + this.settings.serverDescription() + " refused to register " + this.registration + ": "
							+ reason,
					"Fix the instance setting the server's message names (metadata, ip, port, weight, cluster-name, "
							+ "service or group under spring.cloud.nacos.discovery)")));
	}

	// The client keeps a refused ephemeral instance for its redo task, which would send
	// it again every few
	// seconds; deregistering drops it. Sent without metadata, which may be the very
	// reason of the refusal.
	private void withdraw() {
		Instance instance = this.registration.toInstance();
		if (!instance.isEphemeral()) {
			return;
		}
		instance.setMetadata(new HashMap<>());
		try {
			this.namingService.deregisterInstance(this.registration.getServiceId(), this.registration.getGroup(),
					instance);
		}
		catch (NacosException | RuntimeException ex) {
			logger.debug("Could not withdraw the refused instance: " + ex.getMessage());
		}
	}

	private void registered(int previousFailures) {
		boolean first;
		synchronized (this.lock) {
			first = !this.registered;
			this.registered = true;
			// A later refusal (another reason) is worth an error line again.
			this.refusalLogged = false;
		}
		if (first) {
			watchVisibility();
			logger.info("Registered " + this.registration + " in Nacos"
					+ ((previousFailures > 0) ? " after " + (previousFailures + 1) + " attempts" : ""));
			this.context.publishEvent(new InstanceRegisteredEvent<>(this, this.registration));
		}
	}

	private void scheduleWarmupStep() {
		Duration warmup = this.settings.warmup();
		if (warmup == null || warmup.isZero() || !this.registration.isReady()) {
			return;
		}
		float full = this.registration.getWeight();
		if (this.registration.getCurrentWeight() >= full) {
			return;
		}
		synchronized (this.lock) {
			if (this.warmupStepPending) {
				return;
			}
			this.warmupStepPending = true;
		}
		long stepNanos = warmup.toNanos() / WARMUP_STEPS;
		schedule(() -> {
			synchronized (this.lock) {
				this.warmupStepPending = false;
			}
			long elapsed = System.nanoTime() - this.warmupStartNanos;
			this.registration.setCurrentWeight(weightAt(elapsed));
			apply();
		}, Duration.ofNanos(stepNanos));
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

	Duration backoff(int attempt) {
		long initial = this.settings.initialInterval().toMillis();
		long max = this.settings.maxInterval().toMillis();
		long base = initial;
		for (int i = 1; i < attempt && base < max; i++) {
			base *= 2;
		}
		base = Math.min(base, max);
		long jitter = (long) (base * 0.2 * ThreadLocalRandom.current().nextDouble());
		return Duration.ofMillis(Math.min(max, base - jitter));
	}

	/**
	 * Deregisters (when registered) and waits, bounded by the deregistration timeout,
	 * until the server's push shows the instance gone, so that subscribers stop routing
	 * here before the web server stops accepting.
	 */
	public void stop() {
		synchronized (this.lock) {
			if (this.stopped) {
				return;
			}
			this.stopped = true;
		}
		// Changes already queued (such as the REFUSING_TRAFFIC that Boot publishes when
		// closing) still run;
		// pending retries and warm-up steps are dropped.
		this.executor.shutdown();
		try {
			if (!this.executor.awaitTermination(this.settings.deregistrationTimeout().toMillis() + 3000,
					TimeUnit.MILLISECONDS)) {
				this.executor.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		boolean wasRegistered;
		synchronized (this.lock) {
			wasRegistered = this.registered;
			this.registered = false;
		}
		boolean refusedOnly;
		synchronized (this.lock) {
			refusedOnly = !wasRegistered && this.refusalLogged;
		}
		if ((!wasRegistered && !this.started) || refusedOnly) {
			return;
		}
		try {
			this.serviceRegistry.deregister(this.registration);
			if (wasRegistered && this.visibility != null && "UP".equals(this.namingService.getServerStatus())) {
				this.visibility.awaitHidden(this.settings.deregistrationTimeout());
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not deregister " + this.registration + " (" + rootMessage(ex)
					+ "); the server removes an ephemeral instance when the connection closes");
		}
		finally {
			if (this.visibility != null) {
				this.visibility.close();
			}
		}
	}

	// Watches this instance as subscribers see it, so shutdown can wait for the push that
	// removes it.
	private void watchVisibility() {
		if (this.visibility != null || this.settings.deregistrationTimeout().isZero()) {
			return;
		}
		VisibilityWatch watch = new VisibilityWatch();
		try {
			this.namingService.subscribe(this.registration.getServiceId(), this.registration.getGroup(),
					List.of(this.registration.getClusterName()), watch);
			this.visibility = watch;
		}
		catch (NacosException | RuntimeException ex) {
			logger.debug("Could not watch the own instance: " + ex.getMessage());
		}
	}

	/**
	 * Stops when the context is destroyed without having been closed normally (a failed
	 * startup), so no retrying thread outlives it.
	 */
	@Override
	public void destroy() {
		stop();
	}

	private void submit(Runnable task) {
		try {
			this.executor.execute(task);
		}
		catch (RuntimeException ex) {
			// Stopped meanwhile.
		}
	}

	private void schedule(Runnable task, Duration delay) {
		try {
			this.executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RuntimeException ex) {
			// Stopped meanwhile.
		}
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
	}

	// Follows whether the pushes subscribers receive list this instance.
	private final class VisibilityWatch implements EventListener {

		private boolean visible;

		@Override
		public void onEvent(com.alibaba.nacos.api.naming.listener.Event event) {
			if (event instanceof NamingEvent naming) {
				synchronized (this) {
					this.visible = lists(naming.getInstances());
					notifyAll();
				}
			}
		}

		private boolean lists(@Nullable List<Instance> instances) {
			if (instances == null) {
				return false;
			}
			NacosRegistration self = NacosAutoServiceRegistration.this.registration;
			return instances.stream()
				.anyMatch((instance) -> instance.getIp().equals(self.getHost()) && instance.getPort() == self.getPort()
						&& instance.isEnabled());
		}

		synchronized void awaitHidden(Duration timeout) {
			long deadline = System.nanoTime() + timeout.toNanos();
			try {
				while (this.visible) {
					long remaining = deadline - System.nanoTime();
					if (remaining <= 0) {
						logger.info(
								"Nacos did not confirm the removal of " + NacosAutoServiceRegistration.this.registration
										+ " within " + timeout + "; continuing the shutdown");
						return;
					}
					TimeUnit.NANOSECONDS.timedWait(this, remaining);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		void close() {
			NacosRegistration self = NacosAutoServiceRegistration.this.registration;
			try {
				NacosAutoServiceRegistration.this.namingService.unsubscribe(self.getServiceId(), self.getGroup(),
						List.of(self.getClusterName()), this);
			}
			catch (NacosException | RuntimeException ex) {
				// The naming client is closing anyway.
			}
		}

	}

	/**
	 * Behaviour settings of the lifecycle.
	 *
	 * @param configuredPort port to register instead of the web server's, or -1
	 * @param failFast whether registration failures fail startup
	 * @param readinessGating whether routability follows the readiness state
	 * @param warmup weight ramp-up time, or {@code null}
	 * @param warmupInitialWeightRatio starting fraction of the weight
	 * @param initialInterval first retry delay
	 * @param maxInterval longest retry delay
	 * @param deregistrationTimeout longest wait for the removal push at shutdown
	 * @param serverDescription where the server is, for messages
	 */
	public record Settings(int configuredPort, boolean failFast, boolean readinessGating, @Nullable Duration warmup,
			double warmupInitialWeightRatio, Duration initialInterval, Duration maxInterval,
			Duration deregistrationTimeout, String serverDescription) {

	}

}
