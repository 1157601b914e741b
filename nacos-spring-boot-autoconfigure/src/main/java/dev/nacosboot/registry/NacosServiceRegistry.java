package dev.nacosboot.registry;

import java.util.Locale;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.cloud.client.serviceregistry.ServiceRegistry;

/**
 * {@link ServiceRegistry} on a Nacos {@link NamingService}. Status {@code OUT_OF_SERVICE}
 * keeps the instance registered but disabled (no traffic); {@code UP} enables it again.
 * Re-registering an instance replaces it on the server, which is how every change
 * (status, readiness, weight) is applied over the client's gRPC connection.
 */
public class NacosServiceRegistry implements ServiceRegistry<NacosRegistration> {

	private static final Log logger = LogFactory.getLog(NacosServiceRegistry.class);

	private final NamingService namingService;

	public NacosServiceRegistry(NamingService namingService) {
		this.namingService = namingService;
	}

	/**
	 * Registers or updates the instance.
	 * @throws NacosRegistrationException when the server cannot be reached or refuses it
	 */
	@Override
	public void register(NacosRegistration registration) {
		synchronized (registration) {
			Instance instance = registration.toInstance();
			try {
				this.namingService.registerInstance(registration.getServiceId(), registration.getGroup(), instance);
			}
			catch (NacosException ex) {
				throw new NacosRegistrationException("Could not register " + registration + ": " + ex.getErrMsg(), ex);
			}
			if (logger.isDebugEnabled()) {
				logger.debug("Registered " + registration);
			}
		}
	}

	/**
	 * Removes the instance.
	 * @throws NacosRegistrationException when the server cannot be reached or refuses it
	 */
	@Override
	public void deregister(NacosRegistration registration) {
		synchronized (registration) {
			try {
				this.namingService.deregisterInstance(registration.getServiceId(), registration.getGroup(),
						registration.toInstance());
			}
			catch (NacosException ex) {
				throw new NacosRegistrationException("Could not deregister " + registration + ": " + ex.getErrMsg(),
						ex);
			}
			logger.info("Deregistered " + registration);
		}
	}

	@Override
	public void close() {
		// The naming client belongs to the context's NacosClients, which shuts it down.
	}

	/**
	 * Sets {@code UP} or {@code OUT_OF_SERVICE} (case-insensitive) and applies it to the
	 * registered instance.
	 * @throws IllegalArgumentException for any other status
	 */
	@Override
	public void setStatus(NacosRegistration registration, String status) {
		String normalized = status.trim().toUpperCase(Locale.ROOT);
		if (!NacosRegistration.STATUS_UP.equals(normalized)
				&& !NacosRegistration.STATUS_OUT_OF_SERVICE.equals(normalized)) {
			throw new IllegalArgumentException("Unsupported status '" + status + "': use UP or OUT_OF_SERVICE");
		}
		synchronized (registration) {
			registration.setStatus(normalized);
			register(registration);
		}
	}

	/**
	 * The status last applied: {@code UP} or {@code OUT_OF_SERVICE}. It is kept locally
	 * because Nacos hides disabled instances from every client query, so the server
	 * cannot be asked about an out-of-service instance.
	 */
	@Override
	public String getStatus(NacosRegistration registration) {
		return registration.getStatus();
	}

}
