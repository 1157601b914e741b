package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Validated passive-health and latency-tracking settings (bound once at startup).
 *
 * @param enabled whether failures lower weights and eject instances at all
 * @param consecutiveFailures consecutive failures that eject an instance
 * @param failOn5xx whether a 5xx response counts as a failure (connect errors always do)
 * @param baseEjectionTime back-off of a first ejection, doubled on each repeated one
 * @param maxEjectionTime longest back-off
 * @param maxEjectedShare largest share of a service's instances that may be ejected or
 * down-weighted at once
 * @param softDownWeighting whether failures below the threshold lower the weight already
 * @param rampUp time over which the weight of a recovered instance grows back to full
 * @param rampUpStart share of its weight a recovered instance starts with
 * @param latencyDecay decay time of the latency moving average
 */
record OutlierSettings(boolean enabled, int consecutiveFailures, boolean failOn5xx, Duration baseEjectionTime,
		Duration maxEjectionTime, double maxEjectedShare, boolean softDownWeighting, Duration rampUp,
		double rampUpStart, Duration latencyDecay) {

	static final OutlierSettings DEFAULTS = of(new NacosLoadBalancerProperties());

	static OutlierSettings of(NacosLoadBalancerProperties properties) {
		NacosLoadBalancerProperties.OutlierDetection outliers = properties.getOutlierDetection();
		List<String> problems = new ArrayList<>();
		if (outliers.getConsecutiveFailures() < 1) {
			problems.add("outlier-detection.consecutive-failures is " + outliers.getConsecutiveFailures()
					+ ", must be at least 1");
		}
		if (!(outliers.getMaxEjectedPercent() >= 0 && outliers.getMaxEjectedPercent() <= 100)) {
			problems.add("outlier-detection.max-ejected-percent is " + outliers.getMaxEjectedPercent()
					+ ", must be between 0 and 100");
		}
		checkPositive("outlier-detection.base-ejection-time", outliers.getBaseEjectionTime(), problems);
		checkPositive("outlier-detection.max-ejection-time", outliers.getMaxEjectionTime(), problems);
		if (outliers.getRampUp().isNegative()) {
			problems.add("outlier-detection.ramp-up is " + outliers.getRampUp() + ", must not be negative");
		}
		checkPositive("least-latency.decay-time", properties.getLeastLatency().getDecayTime(), problems);
		if (!problems.isEmpty()) {
			throw new InvalidGrayRulesException(problems);
		}
		return new OutlierSettings(outliers.isEnabled(), outliers.getConsecutiveFailures(), outliers.isFailOn5xx(),
				outliers.getBaseEjectionTime(), outliers.getMaxEjectionTime(), outliers.getMaxEjectedPercent() / 100,
				outliers.isSoftDownWeighting(), outliers.getRampUp(), 0.1, properties.getLeastLatency().getDecayTime());
	}

	private static void checkPositive(String name, Duration duration, List<String> problems) {
		if (duration.isNegative() || duration.isZero()) {
			problems.add(name + " is " + duration + ", must be positive");
		}
	}

}
