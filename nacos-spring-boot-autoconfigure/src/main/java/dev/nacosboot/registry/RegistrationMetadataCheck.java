package dev.nacosboot.registry;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import dev.nacosboot.core.NacosPropertyViolations;
import dev.nacosboot.discovery.NacosDiscoveryProperties;

import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Fails startup when this application's instance metadata is larger than the server
 * accepts: the user's {@code spring.cloud.nacos.discovery.metadata}, what the starter
 * adds (register source, version, management port and path) and the entries announced for
 * later (the published load). Runs once every singleton exists, so that every
 * announcement has been made. A server would refuse such a registration on every attempt.
 */
class RegistrationMetadataCheck implements SmartInitializingSingleton {

	private static final String PROPERTY = NacosDiscoveryProperties.PREFIX + ".metadata";

	private final NacosRegistration registration;

	private final Map<String, String> userMetadata;

	private final int maxLength;

	RegistrationMetadataCheck(NacosRegistration registration, Map<String, String> userMetadata, int maxLength) {
		this.registration = registration;
		this.userMetadata = userMetadata;
		this.maxLength = maxLength;
	}

	@Override
	public void afterSingletonsInstantiated() {
		check();
	}

	void check() {
		if (this.maxLength == 0) {
			// Turned off: a server without the parameter check, or one whose limit is
			// unknown here.
			return;
		}
		Map<String, Integer> sizes = entrySizes();
		int total = sizes.values().stream().mapToInt(Integer::intValue).sum();
		if (total <= this.maxLength) {
			return;
		}
		Map<String, Integer> added = new LinkedHashMap<>(sizes);
		this.userMetadata.keySet()
			.stream()
			.filter((key) -> !this.registration.getReservedMetadata().containsKey(key))
			.forEach(added::remove);
		int fromProperty = total - added.values().stream().mapToInt(Integer::intValue).sum();
		String largest = sizes.entrySet()
			.stream()
			.filter((entry) -> !added.containsKey(entry.getKey()))
			.sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
			.limit(3)
			.map((entry) -> "'" + entry.getKey() + "' " + entry.getValue())
			.collect(Collectors.joining(", "));
		new NacosPropertyViolations()
			.reject(PROPERTY, null,
					"the instance metadata is " + total + " characters (keys and values), above the " + this.maxLength
							+ " the Nacos server accepts: " + fromProperty + " from this property (largest entries: "
							+ largest + "), " + (total - fromProperty) + " added by the starter ("
							+ String.join(", ", added.keySet()) + ")",
					"shorten or remove entries by at least " + (total - this.maxLength) + " characters; if the server "
							+ "accepts more (its nacos.naming.service.metadata.length), set "
							+ NacosDiscoveryProperties.PREFIX + ".max-metadata-length to that (0 turns this check off)")
			.throwIfAny();
	}

	// Each entry's size as the server counts it; an entry written later counts with its
	// longest value.
	private Map<String, Integer> entrySizes() {
		Map<String, Integer> sizes = new LinkedHashMap<>();
		Map<String, String> metadata = this.registration.toInstance().getMetadata();
		metadata.forEach((key, value) -> sizes.put(key, InstanceMetadataSize.of(key) + InstanceMetadataSize.of(value)));
		this.registration.getReservedMetadata()
			.forEach((key, length) -> sizes.merge(key, InstanceMetadataSize.of(key) + length, Math::max));
		return sizes;
	}

}
