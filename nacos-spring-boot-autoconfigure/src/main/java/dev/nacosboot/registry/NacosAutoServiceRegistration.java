package dev.nacosboot.registry;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import com.alibaba.nacos.api.exception.NacosException;
import dev.nacosboot.core.InvalidNacosPropertiesException;
import dev.nacosboot.core.NacosUnavailableException;
import dev.nacosboot.discovery.NacosDiscoveryProperties;
import dev.nacosboot.discovery.NacosNamingClient;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.SmartApplicationListener;

/**
 * The application's side of the registration: registers this application once its web
 * server is up (or at startup, for an application without one whose port is configured)
 * and its naming client exists, which is created when the application is ready, keeps it
 * out of traffic while its readiness state is not {@code ACCEPTING_TRAFFIC}, and
 * deregisters it when the context closes, before the web server's graceful shutdown
 * starts. It only submits intents: the {@link NacosInstanceReconciler} applies them.
 * <p>
 * Registration never blocks startup unless fail-fast is on; then the first attempt is
 * awaited and its failure fails startup.
 */
public class NacosAutoServiceRegistration implements AutoServiceRegistration, SmartApplicationListener, DisposableBean {

	private final ApplicationContext context;

	private final NacosInstanceReconciler reconciler;

	private final Settings settings;

	private final @Nullable NacosNamingClient namingClient;

	/**
	 * Creates the lifecycle that registers as soon as it is started.
	 * @param context the context whose events drive it (child contexts' events are
	 * ignored)
	 * @param reconciler applies the intents
	 * @param settings behaviour settings
	 */
	public NacosAutoServiceRegistration(ApplicationContext context, NacosInstanceReconciler reconciler,
			Settings settings) {
		this(context, reconciler, settings, null);
	}

	/**
	 * Creates the lifecycle.
	 * @param context the context whose events drive it (child contexts' events are
	 * ignored)
	 * @param reconciler applies the intents
	 * @param settings behaviour settings
	 * @param namingClient the client the reconciler registers through: unless fail-fast
	 * is on, the registration starts once it exists (it is created when the application
	 * is ready), so that registering does not create it while the application is still
	 * starting; {@code null} to register as soon as started
	 */
	public NacosAutoServiceRegistration(ApplicationContext context, NacosInstanceReconciler reconciler,
			Settings settings, @Nullable NacosNamingClient namingClient) {
		this.context = context;
		this.reconciler = reconciler;
		this.settings = settings;
		this.namingClient = namingClient;
		if (settings.readinessGating()) {
			// Registered disabled until the application is ready.
			reconciler.takeOutOfTraffic(OutOfTrafficReason.READINESS);
		}
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
			if (state == ReadinessState.ACCEPTING_TRAFFIC) {
				this.reconciler.putBackInTraffic(OutOfTrafficReason.READINESS);
			}
			else {
				this.reconciler.takeOutOfTraffic(OutOfTrafficReason.READINESS);
			}
		}
	}

	// A child context (e.g. a management server on its own port) announces its own
	// readiness; only the application's (published with this context, or with any
	// non-context source by the application) counts.
	private boolean fromOtherContext(AvailabilityChangeEvent<?> change) {
		return change.getSource() instanceof ApplicationContext source && source != this.context;
	}

	/**
	 * Registers with the given port (unless a port is configured), once: in the
	 * background once the naming client exists (when the application is ready). With
	 * fail-fast, at once, and waits for the first attempt and throws
	 * {@link NacosUnavailableException} (or {@link InvalidNacosPropertiesException} when
	 * the server refuses the instance) on failure; otherwise registers in the background.
	 * @param port the web server's port
	 */
	public void start(int port) {
		int registered = (this.settings.configuredPort() > 0) ? this.settings.configuredPort() : port;
		if (!this.settings.failFast() && this.namingClient != null) {
			// Creating the client loads its gRPC stack and connects: done at ready, not
			// while the end of startup needs the cores. The port is known from now on.
			if (registered > 0) {
				this.reconciler.getRegistration().setPort(registered);
			}
			this.namingClient.whenCreated((client) -> this.reconciler.register(registered));
			return;
		}
		CompletableFuture<Void> first = this.reconciler.register(registered);
		if (!this.settings.failFast()) {
			return;
		}
		try {
			first.join();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof NacosRegistrationException refused && refused.isInvalidInstance()) {
				// Reachable, but the instance is refused: a settings problem, not an
				// outage.
				throw refusedAtStartup(refused);
			}
			throw new NacosUnavailableException("Could not register " + getRegistration() + " in Nacos",
					this.settings.serverDescription(), NacosDiscoveryProperties.PREFIX + ".fail-fast", ex.getCause());
		}
	}

	/**
	 * Whether the instance is currently registered.
	 * @return whether registered
	 */
	public boolean isRegistered() {
		return this.reconciler.isRegistered();
	}

	public NacosRegistration getRegistration() {
		return this.reconciler.getRegistration();
	}

	NacosInstanceReconciler getReconciler() {
		return this.reconciler;
	}

	/**
	 * Deregisters (when registered) and waits, bounded by the deregistration timeout,
	 * until other clients can no longer choose the instance, so that they stop routing
	 * here before the web server stops accepting.
	 */
	public void stop() {
		this.reconciler.stop();
	}

	/**
	 * Stops when the context is destroyed without having been closed normally (a failed
	 * startup), so no retry outlives it.
	 */
	@Override
	public void destroy() {
		stop();
	}

	private InvalidNacosPropertiesException refusedAtStartup(NacosRegistrationException ex) {
		String reason = ((NacosException) ex.getCause()).getErrMsg();
		return new InvalidNacosPropertiesException(List
			.of(new InvalidNacosPropertiesException.Violation(NacosDiscoveryProperties.PREFIX, null,
					"Nacos at " + this.settings.serverDescription() + " refused to register " + getRegistration() + ": "
							+ reason,
					"Fix the instance setting the server's message names (metadata, ip, port, weight, cluster-name, "
							+ "service or group under spring.cloud.nacos.discovery)")));
	}

	/**
	 * Behaviour settings of the lifecycle.
	 *
	 * @param configuredPort port to register instead of the web server's, or -1
	 * @param failFast whether registration failures fail startup
	 * @param readinessGating whether routability follows the readiness state
	 * @param serverDescription where the server is, for messages
	 */
	public record Settings(int configuredPort, boolean failFast, boolean readinessGating, String serverDescription) {

	}

}
