package dev.nacosboot.loadbalancer;

/**
 * How an instance is chosen among those the gray rules made eligible.
 */
public enum LoadBalancingStrategy {

	/**
	 * Each instance in turn, ignoring weights.
	 */
	ROUND_ROBIN,

	/**
	 * Weighted random over the effective weights (Nacos weight x load factor x health).
	 */
	WEIGHTED,

	/**
	 * Power of two choices: two weighted-random candidates, the one with the lower moving
	 * average of latency x calls in flight wins.
	 */
	LEAST_LATENCY

}
