package dev.nacosboot.actuate;

import java.util.EnumSet;
import java.util.Set;

import dev.nacosboot.registry.NacosAutoServiceRegistration;
import dev.nacosboot.registry.NacosRegistration;
import dev.nacosboot.registry.NacosServiceRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.discovery.event.InstanceRegisteredEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.SmartApplicationListener;

/**
 * Takes this application's instance out of traffic and puts it back, through the
 * {@link NacosServiceRegistry}'s status ({@code OUT_OF_SERVICE} keeps it registered with
 * {@code enabled=false}). Several reasons may hold at once (an operator's drain through
 * the {@code nacos} endpoint, a health group that is not UP); the instance is back in
 * traffic only when none holds, so a recovering health check never undoes a manual drain.
 * <p>
 * A change before the instance is registered is applied when it is; a change the server
 * refuses is applied again on the next {@link #reconcile()}.
 */
public class NacosTrafficSwitch implements SmartApplicationListener {

	private static final Log logger = LogFactory.getLog(NacosTrafficSwitch.class);

	private final ApplicationContext context;

	private final NacosServiceRegistry serviceRegistry;

	private final NacosRegistration registration;

	private final @Nullable NacosAutoServiceRegistration autoRegistration;

	private final Set<Reason> reasons = EnumSet.noneOf(Reason.class);

	private boolean pending;

	private boolean closed;

	/**
	 * Creates the switch.
	 * @param context the context whose closing ends all changes (child contexts' events
	 * are ignored)
	 * @param serviceRegistry applies the status
	 * @param registration this application's instance
	 * @param autoRegistration the registration lifecycle, if any
	 */
	public NacosTrafficSwitch(ApplicationContext context, NacosServiceRegistry serviceRegistry,
			NacosRegistration registration, @Nullable NacosAutoServiceRegistration autoRegistration) {
		this.context = context;
		this.serviceRegistry = serviceRegistry;
		this.registration = registration;
		this.autoRegistration = autoRegistration;
	}

	/**
	 * Takes the instance out of traffic for a reason.
	 * @param reason why
	 * @return whether the status applied to Nacos now matches (false while unregistered
	 * or unreachable)
	 */
	public synchronized boolean takeOut(Reason reason) {
		if (this.reasons.add(reason)) {
			logger.info("Taking " + this.registration + " out of traffic: " + reason.description);
			this.pending = true;
		}
		return reconcile();
	}

	/**
	 * Withdraws a reason; the instance is back in traffic when no other reason holds.
	 * @param reason the reason that no longer holds
	 * @return whether the status applied to Nacos now matches
	 */
	public synchronized boolean putBack(Reason reason) {
		if (this.reasons.remove(reason)) {
			logger.info("No longer " + reason.description + " for " + this.registration
					+ (this.reasons.isEmpty() ? ": back in traffic" : ", still out for " + this.reasons));
			this.pending = true;
		}
		return reconcile();
	}

	/**
	 * The reasons that hold now.
	 * @return the reasons, empty when the instance may take traffic
	 */
	public synchronized Set<Reason> reasons() {
		return Set.copyOf(this.reasons);
	}

	/**
	 * Applies the wanted status if it is not applied yet.
	 * @return whether the applied status matches the wanted one
	 */
	public synchronized boolean reconcile() {
		String wanted = this.reasons.isEmpty() ? NacosRegistration.STATUS_UP : NacosRegistration.STATUS_OUT_OF_SERVICE;
		if (!this.pending && wanted.equals(this.serviceRegistry.getStatus(this.registration))) {
			return true;
		}
		if (this.closed) {
			// The context is closing and deregisters the instance; re-registering it
			// would undo that.
			return false;
		}
		if (this.autoRegistration != null && !this.autoRegistration.isRegistered()) {
			// Registering now would register too early (the port may be unknown); applied
			// when registered.
			this.pending = true;
			return false;
		}
		try {
			this.serviceRegistry.setStatus(this.registration, wanted);
			this.pending = false;
			return true;
		}
		catch (RuntimeException ex) {
			this.pending = true;
			logger.warn("Could not set " + this.registration + " to " + wanted + " in Nacos (" + ex.getMessage()
					+ "); will retry");
			return false;
		}
	}

	@Override
	public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
		return InstanceRegisteredEvent.class.isAssignableFrom(eventType)
				|| ContextClosedEvent.class.isAssignableFrom(eventType);
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		synchronized (this) {
			if (event instanceof ContextClosedEvent closedEvent) {
				if (closedEvent.getApplicationContext() != this.context) {
					return;
				}
				this.closed = true;
				return;
			}
			if (!this.pending && this.reasons.isEmpty()) {
				return;
			}
		}
		reconcile();
	}

	/**
	 * Why the instance is out of traffic.
	 */
	public enum Reason {

		/** An operator drained the instance through the {@code nacos} endpoint. */
		MANUAL("drained through the nacos endpoint"),

		/**
		 * The health group named by {@code spring.cloud.nacos.health.traffic.group} is
		 * not UP.
		 */
		HEALTH_GROUP("the health group is not UP");

		private final String description;

		Reason(String description) {
			this.description = description;
		}

	}

}
