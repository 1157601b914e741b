package dev.nacosboot.loadbalancer;

import dev.nacosboot.registry.NacosAutoServiceRegistration;
import dev.nacosboot.registry.NacosRegistration;
import dev.nacosboot.registry.NacosServiceRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Writes the load into the metadata of this application's registration and re-registers
 * it through the {@link NacosServiceRegistry}, the way the registry applies every change
 * of the instance (status, readiness, weight); later re-registrations keep the value.
 * Only while registered: holding the registration's lock, a concurrent deregistration
 * either happened before (nothing written) or waits for this write.
 */
class RegistrationLoadWriter implements InstanceLoadPublisher.LoadMetadataWriter {

	private static final Log logger = LogFactory.getLog(RegistrationLoadWriter.class);

	private final NacosAutoServiceRegistration autoRegistration;

	private final NacosServiceRegistry serviceRegistry;

	private final String metadataKey;

	RegistrationLoadWriter(NacosAutoServiceRegistration autoRegistration, NacosServiceRegistry serviceRegistry,
			String metadataKey) {
		this.autoRegistration = autoRegistration;
		this.serviceRegistry = serviceRegistry;
		this.metadataKey = metadataKey;
		autoRegistration.getRegistration().reserveMetadata(metadataKey, InstanceLoadPublisher.MAX_VALUE_LENGTH);
	}

	@Override
	public boolean write(String value) {
		NacosRegistration registration = this.autoRegistration.getRegistration();
		synchronized (registration) {
			if (!this.autoRegistration.isRegistered()) {
				return false;
			}
			registration.getMetadata().put(this.metadataKey, value);
			try {
				this.serviceRegistry.register(registration);
			}
			catch (RuntimeException ex) {
				logger.debug("Could not publish load " + value + " of " + registration, ex);
				return false;
			}
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Published load " + value + " of " + registration);
		}
		return true;
	}

}
