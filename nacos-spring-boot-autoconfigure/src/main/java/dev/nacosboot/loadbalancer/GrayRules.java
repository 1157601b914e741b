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
		List<LoadBalancerPropertiesCheck.Problem> problems = LoadBalancerPropertiesCheck.problemsOf(properties);
		if (!problems.isEmpty()) {
			throw new InvalidGrayRulesException(
					problems.stream().map(LoadBalancerPropertiesCheck.Problem::description).toList());
		}
		MissingVersionPolicy defaultPolicy = (properties.getOnMissingVersion() != null)
				? properties.getOnMissingVersion() : MissingVersionPolicy.FALLBACK;
		List<String> fallbackClusters = new ArrayList<>();
		for (String cluster : properties.getClusterPreference().getFallbackClusters()) {
			fallbackClusters.add(cluster.trim());
		}
		LoadBalancingStrategy defaultStrategy = (properties.getStrategy() != null) ? properties.getStrategy()
				: LoadBalancingStrategy.WEIGHTED;
		NacosLoadBalancerProperties.LoadAware load = properties.getLoadAware();
		String loadKey = load.isEnabled() ? load.getMetadataKey().trim() : null;
		Map<String, ServiceRule> services = new LinkedHashMap<>();
		properties.getServices()
			.forEach((serviceId, rule) -> services.put(serviceId, serviceRule(rule, defaultPolicy, defaultStrategy)));
		return new GrayRules(properties.getVersionHeader().trim(), properties.getVersionMetadataKey().trim(),
				properties.getGrayMetadataKey().trim(), properties.getClusterPreference().isEnabled(), fallbackClusters,
				new ServiceRule(null, List.of(), null, defaultPolicy, defaultStrategy), services, loadKey,
				load.getMinWeightFactor());
	}

	private static ServiceRule serviceRule(NacosLoadBalancerProperties.ServiceRule rule,
			MissingVersionPolicy defaultPolicy, LoadBalancingStrategy defaultStrategy) {
		String stable = blankToNull(rule.getStableVersion());
		List<Canary> canaries = new ArrayList<>();
		for (Map.Entry<String, Double> entry : rule.getCanary().entrySet()) {
			canaries.add(new Canary(entry.getKey(), (int) Math.round(entry.getValue() * 100)));
		}
		MissingVersionPolicy policy = (rule.getOnMissingVersion() != null) ? rule.getOnMissingVersion() : defaultPolicy;
		LoadBalancingStrategy strategy = (rule.getStrategy() != null) ? rule.getStrategy() : defaultStrategy;
		return new ServiceRule(stable, canaries, blankToNull(rule.getStickyHeader()), policy, strategy);
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
