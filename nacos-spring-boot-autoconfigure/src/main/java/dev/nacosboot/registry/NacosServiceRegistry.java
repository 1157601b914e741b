package dev.nacosboot.registry;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.cloud.client.serviceregistry.ServiceRegistry;

/**
 * {@link ServiceRegistry} on a Nacos {@link NamingService}. Status {@code OUT_OF_SERVICE}
 * keeps the instance registered but disabled (no traffic); {@code UP} enables it again.
 * <p>
 * Calls about this application's own registration are intents for its
 * {@link NacosInstanceReconciler}, the one writer of that instance: {@code setStatus}
 * drains or restores it ({@link OutOfTrafficReason#DRAIN}) and returns at once, the
 * change being applied in order in the background; {@code register} waits for the first
 * attempt; {@code deregister} deregisters after the change in flight. Any other
 * registration is sent to the server directly.
 */
public class NacosServiceRegistry implements ServiceRegistry<NacosRegistration> {

	private static final Log logger = LogFactory.getLog(NacosServiceRegistry.class);

	private final Supplier<NamingService> namingService;

	private final NacosInstanceReconciler reconciler;

	/**
	 * Creates the registry.
	 * @param namingService the client for other registrations
	 * @param reconciler the writer of this application's own instance
	 */
	public NacosServiceRegistry(NamingService namingService, NacosInstanceReconciler reconciler) {
		this(() -> namingService, reconciler);
	}

	/**
	 * Creates the registry on a client created at its first use.
	 * @param namingService the client for other registrations
	 * @param reconciler the writer of this application's own instance
	 */
	public NacosServiceRegistry(Supplier<NamingService> namingService, NacosInstanceReconciler reconciler) {
		this.namingService = namingService;
		this.reconciler = reconciler;
	}

	/**
	 * Registers or updates the instance. For this application's own registration, waits
	 * for the reconciler's first attempt; after a failure it goes on retrying in the
	 * background (unless fail-fast is on).
	 * @throws NacosRegistrationException when the server cannot be reached or refuses it
	 */
	@Override
	public void register(NacosRegistration registration) {
		if (isOwn(registration)) {
			try {
				this.reconciler.register(0).join();
			}
			catch (CompletionException ex) {
				if (ex.getCause() instanceof NacosRegistrationException failure) {
					throw failure;
				}
				throw ex;
			}
			return;
		}
		try {
			this.namingService.get()
				.registerInstance(registration.getServiceId(), registration.getGroup(), registration.toInstance());
		}
		catch (NacosException ex) {
			throw new NacosRegistrationException("Could not register " + registration + ": " + ex.getErrMsg(), ex);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Registered " + registration);
		}
	}

	/**
	 * Removes the instance.
	 * @throws NacosRegistrationException when the server cannot be reached or refuses it
	 */
	@Override
	public void deregister(NacosRegistration registration) {
		if (isOwn(registration)) {
			this.reconciler.deregister();
			return;
		}
		try {
			this.namingService.get()
				.deregisterInstance(registration.getServiceId(), registration.getGroup(), registration.toInstance());
		}
		catch (NacosException ex) {
			throw new NacosRegistrationException("Could not deregister " + registration + ": " + ex.getErrMsg(), ex);
		}
		logger.info("Deregistered " + registration);
	}

	@Override
	public void close() {
		// The naming client belongs to the context's NacosClients, which shuts it down.
	}

	/**
	 * Sets {@code UP} or {@code OUT_OF_SERVICE} (case-insensitive): an operator's drain
	 * of this application's instance, or its withdrawal (the instance stays out of
	 * traffic while another reason holds).
	 * @throws IllegalArgumentException for any other status
	 */
	@Override
	public void setStatus(NacosRegistration registration, String status) {
		boolean drain = isOutOfService(status);
		if (isOwn(registration)) {
			if (drain) {
				this.reconciler.takeOutOfTraffic(OutOfTrafficReason.DRAIN);
			}
			else {
				this.reconciler.putBackInTraffic(OutOfTrafficReason.DRAIN);
			}
			return;
		}
		Set<OutOfTrafficReason> reasons = EnumSet.noneOf(OutOfTrafficReason.class);
		reasons.addAll(registration.getOutOfTrafficReasons());
		if (drain) {
			reasons.add(OutOfTrafficReason.DRAIN);
		}
		else {
			reasons.remove(OutOfTrafficReason.DRAIN);
		}
		registration.setOutOfTrafficReasons(reasons);
		register(registration);
	}

	/**
	 * The status: {@code OUT_OF_SERVICE} while drained or held out by a health group,
	 * {@code UP} otherwise. It is kept locally because Nacos hides disabled instances
	 * from every client query, so the server cannot be asked about an out-of-service
	 * instance.
	 */
	@Override
	public String getStatus(NacosRegistration registration) {
		return registration.getStatus();
	}

	private boolean isOwn(NacosRegistration registration) {
		return registration == this.reconciler.getRegistration();
	}

	private static boolean isOutOfService(String status) {
		String normalized = status.trim().toUpperCase(Locale.ROOT);
		if (NacosRegistration.STATUS_OUT_OF_SERVICE.equals(normalized)) {
			return true;
		}
		if (NacosRegistration.STATUS_UP.equals(normalized)) {
			return false;
		}
		throw new IllegalArgumentException("Unsupported status '" + status + "': use UP or OUT_OF_SERVICE");
	}

}
