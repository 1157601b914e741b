package dev.nacosboot.loadbalancer;

/**
 * The load of this application that it publishes for load-aware weights: a fraction
 * between 0 (idle) and 1 (fully loaded), or {@link Double#NaN} when unknown. The default
 * is the CPU load; define a bean to publish another signal.
 */
@FunctionalInterface
public interface InstanceLoadSignal {

	/**
	 * Samples the load.
	 * @return the load, a fraction between 0 and 1, or {@link Double#NaN}
	 */
	double currentLoad();

}
