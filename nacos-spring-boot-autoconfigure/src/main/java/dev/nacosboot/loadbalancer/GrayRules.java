package dev.nacosboot.loadbalancer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * An immutable, validated snapshot of the load-balancer rules. Equal snapshots mean the
 * same routing, so a rebind that changed nothing keeps the routing tables.
 *
 * @param versionHeader request header naming the wanted version
 * @param versionMetadataKey instance metadata key of the version
 * @param grayMetadataKey instance metadata key marking canaries
 * @param preferLocalCluster whether the local cluster (then the fallback clusters) is
 * preferred
 * @param fallbackClusters clusters tried after the local one, in order
 * @param defaultRule rule of services without their own
 * @param services rules by service id
 * @param loadMetadataKey instance metadata key of the published load, {@code null} when
 * load does not count
 * @param minLoadFactor smallest share of its weight an instance keeps however high its
 * load
 */
public record GrayRules(String versionHeader, String versionMetadataKey, String grayMetadataKey,
		boolean preferLocalCluster, List<String> fallbackClusters, ServiceRule defaultRule,
		Map<String, ServiceRule> services, @Nullable String loadMetadataKey, double minLoadFactor) {

	/**
	 * Canary shares are kept in basis points: 10000 is all traffic, so 0.01 % is the
	 * finest share.
	 */
	static final int FULL_SHARE = 10_000;

	public GrayRules {
		fallbackClusters = List.copyOf(fallbackClusters);
		services = Map.copyOf(services);
	}

	/**
	 * Validates bound properties and turns them into a snapshot.
	 * @param properties the bound properties
	 * @return the rules
	 * @throws InvalidGrayRulesException listing every problem found
	 */
	public static GrayRules of(NacosLoadBalancerProperties properties) {
		List<String> problems = new ArrayList<>();
		String versionHeader = required(properties.getVersionHeader(), "version-header", problems);
		String versionKey = required(properties.getVersionMetadataKey(), "version-metadata-key", problems);
		String grayKey = required(properties.getGrayMetadataKey(), "gray-metadata-key", problems);
		MissingVersionPolicy defaultPolicy = (properties.getOnMissingVersion() != null)
				? properties.getOnMissingVersion() : MissingVersionPolicy.FALLBACK;
		List<String> fallbackClusters = new ArrayList<>();
		for (String cluster : properties.getClusterPreference().getFallbackClusters()) {
			if (cluster == null || cluster.isBlank()) {
				problems.add("cluster-preference.fallback-clusters contains a blank cluster name");
			}
			else {
				fallbackClusters.add(cluster.trim());
			}
		}
		LoadBalancingStrategy defaultStrategy = (properties.getStrategy() != null) ? properties.getStrategy()
				: LoadBalancingStrategy.WEIGHTED;
		NacosLoadBalancerProperties.LoadAware load = properties.getLoadAware();
		String loadKey = load.isEnabled() ? required(load.getMetadataKey(), "load-aware.metadata-key", problems) : null;
		if (!(load.getMinWeightFactor() > 0 && load.getMinWeightFactor() <= LoadWeightFactor.AT_HIGH_LOAD)) {
			problems.add("load-aware.min-weight-factor is " + load.getMinWeightFactor()
					+ ", must be above 0 and at most " + LoadWeightFactor.AT_HIGH_LOAD);
		}
		Map<String, ServiceRule> services = new LinkedHashMap<>();
		properties.getServices()
			.forEach((serviceId, rule) -> services.put(serviceId,
					serviceRule(serviceId, rule, defaultPolicy, defaultStrategy, problems)));
		if (!problems.isEmpty()) {
			throw new InvalidGrayRulesException(problems);
		}
		return new GrayRules(versionHeader, versionKey, grayKey, properties.getClusterPreference().isEnabled(),
				fallbackClusters, new ServiceRule(null, List.of(), null, defaultPolicy, defaultStrategy), services,
				loadKey, load.getMinWeightFactor());
	}

	private static ServiceRule serviceRule(String serviceId, NacosLoadBalancerProperties.ServiceRule rule,
			MissingVersionPolicy defaultPolicy, LoadBalancingStrategy defaultStrategy, List<String> problems) {
		String where = "services." + serviceId + ".";
		String stable = blankToNull(rule.getStableVersion());
		List<Canary> canaries = new ArrayList<>();
		double total = 0;
		for (Map.Entry<String, Double> entry : rule.getCanary().entrySet()) {
			String version = entry.getKey();
			Double percent = entry.getValue();
			if (version == null || version.isBlank()) {
				problems.add(where + "canary has a blank version");
				continue;
			}
			if (percent == null || !(percent >= 0 && percent <= 100)) {
				problems.add(where + "canary." + version + " is " + percent + "%, must be between 0 and 100");
				continue;
			}
			if (version.equals(stable)) {
				problems.add(where + "canary." + version + " is also the stable-version");
				continue;
			}
			total += percent;
			canaries.add(new Canary(version, (int) Math.round(percent * 100)));
		}
		if (total > 100 + 1e-9) {
			problems.add(where + "canary shares add up to " + total + "%, more than 100%");
		}
		MissingVersionPolicy policy = (rule.getOnMissingVersion() != null) ? rule.getOnMissingVersion() : defaultPolicy;
		LoadBalancingStrategy strategy = (rule.getStrategy() != null) ? rule.getStrategy() : defaultStrategy;
		return new ServiceRule(stable, canaries, blankToNull(rule.getStickyHeader()), policy, strategy);
	}

	private static String required(@Nullable String value, String name, List<String> problems) {
		if (value == null || value.isBlank()) {
			problems.add(name + " must not be blank");
			return "";
		}
		return value.trim();
	}

	private static @Nullable String blankToNull(@Nullable String value) {
		return (value == null || value.isBlank()) ? null : value.trim();
	}

	/**
	 * The rule of a service, or the default rule.
	 * @param serviceId the service
	 * @return its rule
	 */
	public ServiceRule ruleFor(String serviceId) {
		ServiceRule rule = this.services.get(serviceId);
		return (rule != null) ? rule : this.defaultRule;
	}

	/**
	 * Validated rule of one service.
	 *
	 * @param stableVersion version untagged traffic goes to, or {@code null} for every
	 * non-canary instance
	 * @param canaries canary versions with their shares
	 * @param stickyHeader header whose value decides the canary share, or {@code null}
	 * for random
	 * @param onMissingVersion what a request for an absent version gets
	 * @param strategy how an instance is chosen among the eligible ones
	 */
	public record ServiceRule(@Nullable String stableVersion, List<Canary> canaries, @Nullable String stickyHeader,
			MissingVersionPolicy onMissingVersion, LoadBalancingStrategy strategy) {

		public ServiceRule {
			canaries = List.copyOf(canaries);
		}

		boolean isCanaryVersion(@Nullable String version) {
			if (version == null) {
				return false;
			}
			for (Canary canary : this.canaries) {
				if (canary.version().equals(version)) {
					return true;
				}
			}
			return false;
		}

	}

	/**
	 * A canary version and its share of untagged traffic.
	 *
	 * @param version the version
	 * @param basisPoints its share in hundredths of a percent
	 */
	public record Canary(String version, int basisPoints) {

	}

}
