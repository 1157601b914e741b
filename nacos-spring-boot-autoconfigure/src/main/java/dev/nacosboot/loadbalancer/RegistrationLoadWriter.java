package dev.nacosboot.loadbalancer;

import dev.nacosboot.registry.NacosInstanceReconciler;

/**
 * Publishes the load as a metadata entry of this application's instance, an intent for
 * the registration's {@link NacosInstanceReconciler}: it sends it with the rest of the
 * instance's state, so a published load never undoes a drain or a warm-up step. Only
 * while registered.
 */
class RegistrationLoadWriter implements InstanceLoadPublisher.LoadMetadataWriter {

	private final NacosInstanceReconciler reconciler;

	private final String metadataKey;

	RegistrationLoadWriter(NacosInstanceReconciler reconciler, String metadataKey) {
		this.reconciler = reconciler;
		this.metadataKey = metadataKey;
		reconciler.getRegistration().reserveMetadata(metadataKey, InstanceLoadPublisher.MAX_VALUE_LENGTH);
	}

	@Override
	public boolean write(String value) {
		if (!this.reconciler.isRegistered()) {
			return false;
		}
		this.reconciler.publishMetadata(this.metadataKey, value);
		return true;
	}

}
