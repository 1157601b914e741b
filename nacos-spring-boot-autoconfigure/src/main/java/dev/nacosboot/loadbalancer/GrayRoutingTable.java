package dev.nacosboot.loadbalancer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

import dev.nacosboot.discovery.NacosServiceInstance;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;

/**
 * The precomputed routing of one service: built once from an instance list and the rules (on push or rule change),
 * then read by every request without locks. Routable instances are the healthy, enabled ones with a weight above
 * 0; each pool (stable instances, instances of each version) keeps only the preferred cluster tier: the local
 * cluster, else the first fallback cluster with a routable instance, else every cluster.
 * <p>
 * A request asking for a version (header) goes to that version's pool, or by the missing-version policy to the
 * stable pool or nowhere. Other requests fall into a canary share by a bucket in [0, 10000) - a hash of the sticky
 * header's value, or random - and otherwise go to the stable pool, which never contains canary instances.
 */
final class GrayRoutingTable {

	private static final String NACOS_WEIGHT = "nacos.weight";

	private static final String NACOS_CLUSTER = "nacos.cluster";

	private static final String NACOS_HEALTHY = "nacos.healthy";

	private static final String NACOS_ENABLED = "nacos.enabled";

	private final List<ServiceInstance> source;

	private final GrayRules rules;

	private final GrayRules.ServiceRule rule;

	private final WeightedInstances stable;

	private final Map<String, WeightedInstances> versions;

	private final int[] canaryThresholds;

	private final @Nullable WeightedInstances[] canaryPools;

	private GrayRoutingTable(List<ServiceInstance> source, GrayRules rules, GrayRules.ServiceRule rule,
			WeightedInstances stable, Map<String, WeightedInstances> versions, int[] canaryThresholds,
			@Nullable WeightedInstances[] canaryPools) {
		this.source = source;
		this.rules = rules;
		this.rule = rule;
		this.stable = stable;
		this.versions = versions;
		this.canaryThresholds = canaryThresholds;
		this.canaryPools = canaryPools;
	}

	/**
	 * Builds the table.
	 * @param serviceId the service
	 * @param instances its instances as the supplier gave them
	 * @param rules the current rules
	 * @param localCluster this application's cluster, {@code null} for no preference
	 * @return the table
	 */
	static GrayRoutingTable build(String serviceId, List<ServiceInstance> instances, GrayRules rules,
			@Nullable String localCluster) {
		GrayRules.ServiceRule rule = rules.ruleFor(serviceId);
		List<ServiceInstance> stable = new ArrayList<>();
		Map<String, List<ServiceInstance>> byVersion = new LinkedHashMap<>();
		for (ServiceInstance instance : instances) {
			if (!isRoutable(instance)) {
				continue;
			}
			String version = instance.getMetadata().get(rules.versionMetadataKey());
			if (version != null) {
				byVersion.computeIfAbsent(version, (v) -> new ArrayList<>()).add(instance);
			}
			boolean canary = "true".equalsIgnoreCase(instance.getMetadata().get(rules.grayMetadataKey()))
					|| rule.isCanaryVersion(version);
			if (!canary && (rule.stableVersion() == null || rule.stableVersion().equals(version))) {
				stable.add(instance);
			}
		}
		List<String> clusterOrder = clusterOrder(rules, localCluster);
		Map<String, WeightedInstances> versions = new HashMap<>();
		byVersion.forEach((version, pool) -> versions.put(version, preferred(pool, clusterOrder)));
		int[] thresholds = new int[rule.canaries().size()];
		WeightedInstances[] canaryPools = new WeightedInstances[thresholds.length];
		int cumulative = 0;
		for (int i = 0; i < thresholds.length; i++) {
			GrayRules.Canary canary = rule.canaries().get(i);
			cumulative += canary.basisPoints();
			thresholds[i] = cumulative;
			canaryPools[i] = versions.get(canary.version());
		}
		return new GrayRoutingTable(instances, rules, rule, preferred(stable, clusterOrder), Map.copyOf(versions),
				thresholds, canaryPools);
	}

	private static List<String> clusterOrder(GrayRules rules, @Nullable String localCluster) {
		if (!rules.preferLocalCluster() || localCluster == null) {
			return List.of();
		}
		List<String> order = new ArrayList<>();
		order.add(localCluster);
		for (String cluster : rules.fallbackClusters()) {
			if (!order.contains(cluster)) {
				order.add(cluster);
			}
		}
		return order;
	}

	// The first cluster of the order that has an instance in the pool, else the whole pool.
	private static WeightedInstances preferred(List<ServiceInstance> pool, List<String> clusterOrder) {
		for (String cluster : clusterOrder) {
			List<ServiceInstance> inCluster = new ArrayList<>();
			for (ServiceInstance instance : pool) {
				if (cluster.equals(clusterOf(instance))) {
					inCluster.add(instance);
				}
			}
			if (!inCluster.isEmpty()) {
				return WeightedInstances.of(inCluster, GrayRoutingTable::weightOf);
			}
		}
		return WeightedInstances.of(pool, GrayRoutingTable::weightOf);
	}

	static boolean isRoutable(ServiceInstance instance) {
		if (instance instanceof NacosServiceInstance nacos) {
			return nacos.isHealthy() && nacos.isEnabled() && nacos.getWeight() > 0;
		}
		Map<String, String> metadata = instance.getMetadata();
		return !"false".equalsIgnoreCase(metadata.get(NACOS_HEALTHY))
				&& !"false".equalsIgnoreCase(metadata.get(NACOS_ENABLED)) && weightOf(instance) > 0;
	}

	static double weightOf(ServiceInstance instance) {
		if (instance instanceof NacosServiceInstance nacos) {
			return nacos.getWeight();
		}
		String weight = instance.getMetadata().get(NACOS_WEIGHT);
		if (weight == null) {
			return 1;
		}
		try {
			double value = Double.parseDouble(weight);
			return (Double.isFinite(value) && value > 0) ? value : 0;
		}
		catch (NumberFormatException ex) {
			return 1;
		}
	}

	static @Nullable String clusterOf(ServiceInstance instance) {
		if (instance instanceof NacosServiceInstance nacos) {
			return nacos.getCluster();
		}
		return instance.getMetadata().get(NACOS_CLUSTER);
	}

	/**
	 * Bucket in [0, 10000) of a sticky value: the same value always falls into the same bucket, in every consumer
	 * and across restarts ({@link String#hashCode()} is specified), and values spread evenly after mixing.
	 * @param value the sticky header's value
	 * @return the bucket
	 */
	static int bucketOf(String value) {
		int h = value.hashCode();
		// MurmurHash3's finalizer: spreads the close hash codes of similar ids ("user-1", "user-2") evenly.
		h ^= h >>> 16;
		h *= 0x85ebca6b;
		h ^= h >>> 13;
		h *= 0xc2b2ae35;
		h ^= h >>> 16;
		return Math.floorMod(h, GrayRules.FULL_SHARE);
	}

	/**
	 * Chooses an instance for a request.
	 * @param requestedVersion version the request asks for (header), or {@code null}
	 * @param stickyValue value of the rule's sticky header, or {@code null}
	 * @param random source of randomness
	 * @return the instance, {@code null} when the request must get none
	 */
	@Nullable ServiceInstance choose(@Nullable String requestedVersion, @Nullable String stickyValue,
			RandomGenerator random) {
		if (requestedVersion != null) {
			WeightedInstances pool = this.versions.get(requestedVersion);
			if (pool != null) {
				return pool.pick(random);
			}
			return (this.rule.onMissingVersion() == MissingVersionPolicy.FAIL) ? null : this.stable.pick(random);
		}
		int[] thresholds = this.canaryThresholds;
		if (thresholds.length > 0) {
			int bucket = (stickyValue != null) ? bucketOf(stickyValue) : random.nextInt(GrayRules.FULL_SHARE);
			for (int i = 0; i < thresholds.length; i++) {
				if (bucket < thresholds[i]) {
					WeightedInstances pool = this.canaryPools[i];
					// A canary share whose version has no routable instance goes to the stable instances.
					if (pool != null) {
						return pool.pick(random);
					}
					break;
				}
			}
		}
		return this.stable.pick(random);
	}

	/**
	 * Whether this table was built from exactly these inputs (by identity: O(1)).
	 * @param instances an instance list
	 * @param rules rules
	 * @return whether the same objects
	 */
	boolean isBuiltFrom(List<ServiceInstance> instances, GrayRules rules) {
		return this.source == instances && this.rules == rules;
	}

	/**
	 * Whether this table was built from an equal instance list and the same rules, so that it still applies.
	 * @param instances an instance list
	 * @param rules rules
	 * @return whether equal
	 */
	boolean appliesTo(List<ServiceInstance> instances, GrayRules rules) {
		return this.rules == rules && this.source.equals(instances);
	}

	/**
	 * The same routing, remembered as built from an equal list (so that the next identity check is O(1)).
	 * @param instances the equal list
	 * @return a table sharing this one's pools
	 */
	GrayRoutingTable withSource(List<ServiceInstance> instances) {
		return new GrayRoutingTable(instances, this.rules, this.rule, this.stable, this.versions,
				this.canaryThresholds, this.canaryPools);
	}

	@Nullable String stickyHeader() {
		return this.rule.stickyHeader();
	}

	List<ServiceInstance> stableInstances() {
		return this.stable.instances();
	}

	@Override
	public String toString() {
		return "GrayRoutingTable{stable=" + this.stable + ", versions=" + this.versions.keySet() + "}";
	}

}
