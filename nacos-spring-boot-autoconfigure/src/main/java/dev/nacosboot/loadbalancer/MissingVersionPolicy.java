package dev.nacosboot.loadbalancer;

/**
 * What a request that asks for a version no routable instance has gets.
 */
public enum MissingVersionPolicy {

	/**
	 * Route it as untagged traffic, to the stable instances.
	 */
	FALLBACK,

	/**
	 * Answer no instance, which Spring Cloud LoadBalancer turns into a 503 (reactive
	 * clients, gateway) or an {@code IllegalStateException} "No instances available"
	 * (blocking clients).
	 */
	FAIL

}
