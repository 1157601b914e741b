package dev.nacosboot.registry;

/**
 * Why this application's instance is out of traffic (registered with
 * {@code enabled=false}). Reasons are independent: the instance is back in traffic only
 * when none holds, so a recovering health check never undoes an operator's drain.
 *
 * @see NacosInstanceReconciler#takeOutOfTraffic(OutOfTrafficReason)
 */
public enum OutOfTrafficReason {

	/**
	 * The application's readiness state is not {@code ACCEPTING_TRAFFIC} (with
	 * {@code spring.cloud.nacos.discovery.readiness-gating}).
	 */
	READINESS("the readiness state is not ACCEPTING_TRAFFIC"),

	/**
	 * An operator drained the instance: {@code ServiceRegistry.setStatus} with
	 * {@code OUT_OF_SERVICE}, the {@code nacos} or {@code serviceregistry} endpoint.
	 */
	DRAIN("drained by an operator"),

	/**
	 * The health group named by {@code spring.cloud.nacos.health.traffic.group} is not
	 * UP.
	 */
	HEALTH_GROUP("the health group is not UP"),

	/**
	 * The application is shutting down; final, set by the reconciler itself.
	 */
	SHUTDOWN("the application is shutting down");

	private final String description;

	OutOfTrafficReason(String description) {
		this.description = description;
	}

	/**
	 * What the reason means, for log messages.
	 * @return the description
	 */
	public String description() {
		return this.description;
	}

}
