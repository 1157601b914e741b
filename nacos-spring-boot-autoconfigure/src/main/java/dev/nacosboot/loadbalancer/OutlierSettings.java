package dev.nacosboot.loadbalancer;

import java.time.Duration;

/**
 * Passive-health and latency-tracking settings, a snapshot of the bound properties.
 *
 * @param enabled whether failures lower weights and eject instances at all
 * @param consecutiveFailures consecutive failures that eject an instance
 * @param failOn5xx whether a 5xx response counts as a failure
 * @param baseEjectionTime back-off of a first ejection, doubled on each repeated one
 * @param maxEjectionTime longest back-off
 * @param maxEjectedShare largest share of a service's instances that may be ejected or
 * down-weighted at once for failed calls (instances that refuse connections do not count)
 * @param softDownWeighting whether failures below the threshold lower the weight already
 * @param rampUp time over which the weight of a recovered instance grows back to full
 * @param rampUpStart share of its weight a recovered instance starts with
 * @param latencyDecay decay time of the latency moving average
 * @param probeInterval first wait before probing an instance that refused a connection,
 * doubled after each failed probe
 * @param maxProbeInterval longest wait between two probes
 * @param probeTimeout connect time-out of a probe
 */
record OutlierSettings(boolean enabled, int consecutiveFailures, boolean failOn5xx, Duration baseEjectionTime,
		Duration maxEjectionTime, double maxEjectedShare, boolean softDownWeighting, Duration rampUp,
		double rampUpStart, Duration latencyDecay, Duration probeInterval, Duration maxProbeInterval,
		Duration probeTimeout) {

	/**
	 * The settings of bound properties, which {@link NacosLoadBalancerProperties} has
	 * validated.
	 * @param properties the properties
	 * @return the settings
	 */
	static OutlierSettings of(NacosLoadBalancerProperties properties) {
		NacosLoadBalancerProperties.OutlierDetection outliers = properties.getOutlierDetection();
		return new OutlierSettings(outliers.isEnabled(), outliers.getConsecutiveFailures(), outliers.isFailOn5xx(),
				outliers.getBaseEjectionTime(), outliers.getMaxEjectionTime(), outliers.getMaxEjectedPercent() / 100,
				outliers.isSoftDownWeighting(), outliers.getRampUp(), 0.1, properties.getLeastLatency().getDecayTime(),
				outliers.getProbeInterval(), outliers.getMaxProbeInterval(), outliers.getProbeTimeout());
	}

}
