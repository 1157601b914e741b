package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.validation.Errors;

/**
 * The static checks of {@code spring.cloud.nacos.loadbalancer.*}, shared by the binding
 * validation of {@link NacosLoadBalancerProperties} and by {@link GrayRules#of}, which
 * refuses what the validation would have refused when properties reach it unvalidated.
 */
final class LoadBalancerPropertiesCheck {

	private LoadBalancerPropertiesCheck() {
	}

	static List<Problem> problemsOf(NacosLoadBalancerProperties properties) {
		List<Problem> problems = new ArrayList<>();
		required(properties.getVersionHeader(), "version-header", problems);
		required(properties.getVersionMetadataKey(), "version-metadata-key", problems);
		required(properties.getGrayMetadataKey(), "gray-metadata-key", problems);
		List<String> fallbackClusters = properties.getClusterPreference().getFallbackClusters();
		for (int i = 0; i < fallbackClusters.size(); i++) {
			String cluster = fallbackClusters.get(i);
			if (cluster == null || cluster.isBlank()) {
				problems.add(new Problem("cluster-preference.fallback-clusters[" + i + "]",
						"cluster-preference.fallback-clusters contains a blank cluster name"));
			}
		}
		NacosLoadBalancerProperties.LoadAware load = properties.getLoadAware();
		if (load.isEnabled()) {
			required(load.getMetadataKey(), "load-aware.metadata-key", problems);
		}
		if (!(load.getMinWeightFactor() > 0 && load.getMinWeightFactor() <= LoadWeightFactor.AT_HIGH_LOAD)) {
			problems.add(new Problem("load-aware.min-weight-factor", "load-aware.min-weight-factor is "
					+ load.getMinWeightFactor() + ", must be above 0 and at most " + LoadWeightFactor.AT_HIGH_LOAD));
		}
		properties.getServices().forEach((serviceId, rule) -> serviceRule(serviceId, rule, problems));
		outliers(properties, problems);
		NacosLoadBalancerProperties.Requeue.Budget budget = properties.getRequeue().getBudget();
		if (!(budget.getPercent() >= 0 && budget.getPercent() <= 100)) {
			problems.add(new Problem("requeue.budget.percent",
					"requeue.budget.percent is " + budget.getPercent() + ", must be between 0 and 100"));
		}
		if (!(budget.getMinPerSecond() >= 0 && Double.isFinite(budget.getMinPerSecond()))) {
			problems.add(new Problem("requeue.budget.min-per-second",
					"requeue.budget.min-per-second is " + budget.getMinPerSecond() + ", must not be negative"));
		}
		positive(budget.getWindow(), "requeue.budget.window", problems);
		return problems;
	}

	private static void serviceRule(String serviceId, NacosLoadBalancerProperties.ServiceRule rule,
			List<Problem> problems) {
		String where = "services." + serviceId + ".";
		// A service id with dots is written in brackets, as Boot binds it.
		String path = "services." + (serviceId.contains(".") ? "[" + serviceId + "]" : serviceId) + ".";
		String stable = (rule.getStableVersion() != null && !rule.getStableVersion().isBlank())
				? rule.getStableVersion().trim() : null;
		double total = 0;
		for (Map.Entry<String, Double> entry : rule.getCanary().entrySet()) {
			String version = entry.getKey();
			Double percent = entry.getValue();
			if (version == null || version.isBlank()) {
				problems.add(new Problem(path + "canary", where + "canary has a blank version"));
				continue;
			}
			String canaryPath = path + "canary." + version;
			if (percent == null || !(percent >= 0 && percent <= 100)) {
				problems.add(new Problem(canaryPath,
						where + "canary." + version + " is " + percent + "%, must be between 0 and 100"));
				continue;
			}
			if (version.equals(stable)) {
				problems.add(new Problem(canaryPath, where + "canary." + version + " is also the stable-version"));
				continue;
			}
			total += percent;
		}
		if (total > 100 + 1e-9) {
			problems
				.add(new Problem(path + "canary", where + "canary shares add up to " + total + "%, more than 100%"));
		}
	}

	private static void outliers(NacosLoadBalancerProperties properties, List<Problem> problems) {
		NacosLoadBalancerProperties.OutlierDetection outliers = properties.getOutlierDetection();
		if (outliers.getConsecutiveFailures() < 1) {
			problems
				.add(new Problem("outlier-detection.consecutive-failures", "outlier-detection.consecutive-failures is "
						+ outliers.getConsecutiveFailures() + ", must be at least 1"));
		}
		if (!(outliers.getMaxEjectedPercent() >= 0 && outliers.getMaxEjectedPercent() <= 100)) {
			problems
				.add(new Problem("outlier-detection.max-ejected-percent", "outlier-detection.max-ejected-percent is "
						+ outliers.getMaxEjectedPercent() + ", must be between 0 and 100"));
		}
		positive(outliers.getBaseEjectionTime(), "outlier-detection.base-ejection-time", problems);
		positive(outliers.getMaxEjectionTime(), "outlier-detection.max-ejection-time", problems);
		if (outliers.getRampUp() == null || outliers.getRampUp().isNegative()) {
			problems.add(new Problem("outlier-detection.ramp-up",
					"outlier-detection.ramp-up is " + outliers.getRampUp() + ", must not be negative"));
		}
		positive(outliers.getProbeInterval(), "outlier-detection.probe-interval", problems);
		positive(outliers.getMaxProbeInterval(), "outlier-detection.max-probe-interval", problems);
		positive(outliers.getProbeTimeout(), "outlier-detection.probe-timeout", problems);
		positive(properties.getLeastLatency().getDecayTime(), "least-latency.decay-time", problems);
	}

	private static void required(@Nullable String value, String name, List<Problem> problems) {
		if (value == null || value.isBlank()) {
			problems.add(new Problem(name, name + " must not be blank"));
		}
	}

	private static void positive(@Nullable Duration duration, String name, List<Problem> problems) {
		if (duration == null || duration.isNegative() || duration.isZero()) {
			problems.add(new Problem(name, name + " is " + duration + ", must be positive"));
		}
	}

	/**
	 * One thing wrong.
	 *
	 * @param name the offending property, relative to
	 * {@code spring.cloud.nacos.loadbalancer}, as it is written in configuration
	 * @param description what is wrong, naming the property the same way
	 */
	record Problem(String name, String description) {

		// Boot's binding validation resolves the configuration name (its failure report
		// prints it); other errors holders may only take bean paths, and then get the
		// problem as a global error.
		void rejectIn(Errors errors) {
			try {
				errors.rejectValue(this.name, "invalid", this.description);
			}
			catch (RuntimeException ex) {
				errors.reject("invalid", this.description);
			}
		}

	}

}
