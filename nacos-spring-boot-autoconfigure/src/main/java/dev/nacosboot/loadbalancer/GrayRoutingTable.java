package dev.nacosboot.loadbalancer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

import dev.nacosboot.discovery.NacosServiceInstance;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;

/**
 * The precomputed routing of one service: built once from an instance list and the rules
 * (on push or rule change), then read by every request without locks. Routable instances
 * are the healthy, enabled ones with a weight above 0; each pool (stable instances,
 * instances of each version) keeps only the preferred cluster tier: the local cluster,
 * else the first fallback cluster with a routable instance, else every cluster.
 * <p>
 * A request asking for a version (header) goes to that version's pool, or by the
 * missing-version policy to the stable pool or nowhere. Other requests fall into a canary
 * share by a bucket in [0, 10000) - a hash of the sticky header's value, or random - and
 * otherwise go to the stable pool, which never contains canary instances.
 */
final class GrayRoutingTable {

	private final List<ServiceInstance> source;

	private final GrayRules rules;

	private final GrayRules.ServiceRule rule;

	private final WeightedInstances stable;

	private final Map<String, WeightedInstances> versions;

	private final int[] canaryThresholds;

	private final @Nullable WeightedInstances[] canaryPools;

	private final long generation;

	private final long refreshAt;

	private final String versionHeaderKey;

	private final @Nullable String stickyHeaderKey;

	private GrayRoutingTable(List<ServiceInstance> source, GrayRules rules, GrayRules.ServiceRule rule,
			WeightedInstances stable, Map<String, WeightedInstances> versions, int[] canaryThresholds,
			@Nullable WeightedInstances[] canaryPools, long generation, long refreshAt) {
		this.generation = generation;
		this.refreshAt = refreshAt;
		this.source = source;
		this.rules = rules;
		this.rule = rule;
		this.stable = stable;
		this.versions = versions;
		this.canaryThresholds = canaryThresholds;
		this.canaryPools = canaryPools;
		this.versionHeaderKey = rules.versionHeader().toLowerCase(Locale.ROOT);
		String stickyHeader = rule.stickyHeader();
		this.stickyHeaderKey = (stickyHeader != null) ? stickyHeader.toLowerCase(Locale.ROOT) : null;
	}

	/**
	 * Builds the table from Nacos weights and published load alone.
	 * @param serviceId the service
	 * @param instances its instances as the supplier gave them
	 * @param rules the current rules
	 * @param localCluster this application's cluster, {@code null} for no preference
	 * @return the table
	 */
	static GrayRoutingTable build(String serviceId, List<ServiceInstance> instances, GrayRules rules,
			@Nullable String localCluster) {
		return build(serviceId, instances, rules, localCluster, null);
	}

	/**
	 * Builds the table. The effective weight of an instance is its Nacos weight x the
	 * factor of its published load x its health as this application observed it; ejected
	 * instances (health 0) are left out unless that would empty a pool, and no more than
	 * the configured share of the service's instances is ejected or down-weighted (the
	 * worst ones).
	 * @param serviceId the service
	 * @param instances its instances as the supplier gave them
	 * @param rules the current rules
	 * @param localCluster this application's cluster, {@code null} for no preference
	 * @param stats observed health and latency, {@code null} for none
	 * @return the table
	 */
	static GrayRoutingTable build(String serviceId, List<ServiceInstance> instances, GrayRules rules,
			@Nullable String localCluster, @Nullable InstanceStatsRegistry stats) {
		GrayRules.ServiceRule rule = rules.ruleFor(serviceId);
		long now = (stats != null) ? stats.now() : 0;
		long generation = (stats != null) ? stats.generation() : 0;
		List<ServiceInstance> routable = new ArrayList<>();
		for (ServiceInstance instance : instances) {
			if (isRoutable(instance)) {
				routable.add(instance);
			}
		}
		Map<ServiceInstance, Double> health = new IdentityHashMap<>();
		long refreshAt = Long.MAX_VALUE;
		if (stats != null) {
			stats.retain(instances);
			refreshAt = healthOf(routable, stats, now, health);
		}
		ToDoubleFunction<ServiceInstance> effective = (instance) -> weightOf(instance)
				* ((rules.loadMetadataKey() != null) ? LoadWeightFactor
					.ofMetadata(instance.getMetadata().get(rules.loadMetadataKey()), rules.minLoadFactor()) : 1)
				* health.getOrDefault(instance, 1.0);
		Function<ServiceInstance, InstanceStats> statsOf = (stats != null
				&& rule.strategy() == LoadBalancingStrategy.LEAST_LATENCY) ? stats::statsOf : null;
		List<ServiceInstance> stable = new ArrayList<>();
		Map<String, List<ServiceInstance>> byVersion = new LinkedHashMap<>();
		for (ServiceInstance instance : routable) {
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
		byVersion.forEach((version, pool) -> {
			// A version none of whose instances accepts connections is, for routing, a
			// version no routable instance has: the missing-version policy applies.
			if (!allConnectEjected(pool, stats)) {
				versions.put(version, preferred(pool, clusterOrder, effective, statsOf, stats));
			}
		});
		int[] thresholds = new int[rule.canaries().size()];
		WeightedInstances[] canaryPools = new WeightedInstances[thresholds.length];
		int cumulative = 0;
		for (int i = 0; i < thresholds.length; i++) {
			GrayRules.Canary canary = rule.canaries().get(i);
			cumulative += canary.basisPoints();
			thresholds[i] = cumulative;
			canaryPools[i] = versions.get(canary.version());
		}
		return new GrayRoutingTable(instances, rules, rule, preferred(stable, clusterOrder, effective, statsOf, stats),
				Map.copyOf(versions), thresholds, canaryPools, generation, refreshAt);
	}

	// Health factors of the routable instances, at most the allowed share of them below 1
	// for failed calls (the lowest kept), and 0 for every instance out for a failed
	// connect, which takes no share: an instance that refuses connections helps nobody,
	// while the cap exists for softer signals that may be wrong about the instance.
	// Returns when the factors next change by themselves.
	private static long healthOf(List<ServiceInstance> routable, InstanceStatsRegistry stats, long now,
			Map<ServiceInstance, Double> health) {
		List<ServiceInstance> degraded = new ArrayList<>();
		long refreshAt = Long.MAX_VALUE;
		int reachable = 0;
		for (ServiceInstance instance : routable) {
			InstanceStats instanceStats = stats.statsOf(instance);
			if (instanceStats.isConnectEjected()) {
				health.put(instance, 0.0);
				continue;
			}
			reachable++;
			double factor = instanceStats.healthAt(now);
			if (factor < 1) {
				health.put(instance, factor);
				degraded.add(instance);
				refreshAt = Math.min(refreshAt, instanceStats.nextChangeAfter(now));
			}
		}
		int allowed = (int) Math.floor(reachable * stats.settings().maxEjectedShare() + 1e-9);
		if (degraded.size() > allowed) {
			degraded.sort(Comparator.comparingDouble(health::get));
			for (ServiceInstance spared : degraded.subList(allowed, degraded.size())) {
				health.remove(spared);
			}
		}
		return refreshAt;
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

	// The first cluster of the order that has an instance with an effective weight above
	// 0, else the whole pool. When every instance of the pool is ejected, the pool keeps
	// those that still accept connections, else all of them, rather than send nothing
	// anywhere.
	private static WeightedInstances preferred(List<ServiceInstance> pool, List<String> clusterOrder,
			ToDoubleFunction<ServiceInstance> effective, @Nullable Function<ServiceInstance, InstanceStats> stats,
			@Nullable InstanceStatsRegistry registry) {
		List<ServiceInstance> available = new ArrayList<>();
		for (ServiceInstance instance : pool) {
			if (effective.applyAsDouble(instance) > 0) {
				available.add(instance);
			}
		}
		ToDoubleFunction<ServiceInstance> weight = effective;
		if (available.isEmpty()) {
			weight = GrayRoutingTable::weightOf;
			if (registry != null) {
				for (ServiceInstance instance : pool) {
					if (!registry.isConnectEjected(instance)) {
						available.add(instance);
					}
				}
			}
			if (available.isEmpty()) {
				available = pool;
			}
		}
		for (String cluster : clusterOrder) {
			List<ServiceInstance> inCluster = new ArrayList<>();
			for (ServiceInstance instance : available) {
				if (cluster.equals(clusterOf(instance))) {
					inCluster.add(instance);
				}
			}
			if (!inCluster.isEmpty()) {
				return WeightedInstances.of(inCluster, weight, stats);
			}
		}
		return WeightedInstances.of(available, weight, stats);
	}

	private static boolean allConnectEjected(List<ServiceInstance> pool, @Nullable InstanceStatsRegistry stats) {
		if (stats == null) {
			return false;
		}
		for (ServiceInstance instance : pool) {
			if (!stats.isConnectEjected(instance)) {
				return false;
			}
		}
		return true;
	}

	static boolean isRoutable(ServiceInstance instance) {
		if (instance instanceof NacosServiceInstance nacos) {
			return nacos.isHealthy() && nacos.isEnabled() && nacos.getWeight() > 0;
		}
		Map<String, String> metadata = instance.getMetadata();
		return !"false".equalsIgnoreCase(metadata.get(NacosServiceInstance.METADATA_HEALTHY))
				&& !"false".equalsIgnoreCase(metadata.get(NacosServiceInstance.METADATA_ENABLED))
				&& weightOf(instance) > 0;
	}

	static double weightOf(ServiceInstance instance) {
		if (instance instanceof NacosServiceInstance nacos) {
			return nacos.getWeight();
		}
		String weight = instance.getMetadata().get(NacosServiceInstance.METADATA_WEIGHT);
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
		return instance.getMetadata().get(NacosServiceInstance.METADATA_CLUSTER);
	}

	/**
	 * Bucket in [0, 10000) of a sticky value: the same value always falls into the same
	 * bucket, in every consumer and across restarts ({@link String#hashCode()} is
	 * specified), and values spread evenly after mixing.
	 * @param value the sticky header's value
	 * @return the bucket
	 */
	static int bucketOf(String value) {
		int h = value.hashCode();
		// MurmurHash3's finalizer: spreads the close hash codes of similar ids ("user-1",
		// "user-2") evenly.
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
	@Nullable ServiceInstance choose(@Nullable String requestedVersion, @Nullable String stickyValue, RandomGenerator random) {
		return choose(requestedVersion, stickyValue, random, null, 0);
	}

	/**
	 * Chooses an instance for a request by the service's strategy.
	 * @param requestedVersion version the request asks for (header), or {@code null}
	 * @param stickyValue value of the rule's sticky header, or {@code null}
	 * @param random source of randomness
	 * @param avoid instance to avoid when the pool has another (a retried call's previous
	 * one), or {@code null}
	 * @param now current time in nanoseconds
	 * @return the instance, {@code null} when the request must get none
	 */
	@Nullable ServiceInstance choose(@Nullable String requestedVersion, @Nullable String stickyValue, RandomGenerator random,
			@Nullable ServiceInstance avoid, long now) {
		WeightedInstances pool = pool(requestedVersion, stickyValue, random);
		return (pool != null) ? pool.pick(this.rule.strategy(), random, avoid, now) : null;
	}

	/**
	 * The pool a request goes to under the rules.
	 * @param requestedVersion version the request asks for (header), or {@code null}
	 * @param stickyValue value of the rule's sticky header, or {@code null}
	 * @param random source of randomness
	 * @return the pool, {@code null} when the request must get no instance
	 */
	@Nullable WeightedInstances pool(@Nullable String requestedVersion, @Nullable String stickyValue, RandomGenerator random) {
		if (requestedVersion != null) {
			WeightedInstances pool = this.versions.get(requestedVersion);
			if (pool != null) {
				return pool;
			}
			return (this.rule.onMissingVersion() == MissingVersionPolicy.FAIL) ? null : this.stable;
		}
		int[] thresholds = this.canaryThresholds;
		if (thresholds.length > 0) {
			int bucket = (stickyValue != null) ? bucketOf(stickyValue) : random.nextInt(GrayRules.FULL_SHARE);
			for (int i = 0; i < thresholds.length; i++) {
				if (bucket < thresholds[i]) {
					WeightedInstances pool = this.canaryPools[i];
					// A canary share whose version has no routable instance goes to the
					// stable instances.
					if (pool != null) {
						return pool;
					}
					break;
				}
			}
		}
		return this.stable;
	}

	/**
	 * Whether observed health moved since this table was built, reading the clock only
	 * when a factor of this table changes by itself (most tables have none).
	 * @param stats the observed health
	 * @return whether to rebuild
	 */
	boolean isStale(InstanceStatsRegistry stats) {
		return stats.generation() != this.generation
				|| (this.refreshAt != Long.MAX_VALUE && stats.now() - this.refreshAt >= 0);
	}

	/**
	 * Whether a choice needs the current time (the least-latency strategy's moving
	 * averages do).
	 * @return whether to read the clock per choice
	 */
	LoadBalancingStrategy strategy() {
		return this.rule.strategy();
	}

	boolean needsClock() {
		return this.rule.strategy() == LoadBalancingStrategy.LEAST_LATENCY;
	}

	/**
	 * The version header's name in lower case.
	 * @return the header name
	 */
	String versionHeaderKey() {
		return this.versionHeaderKey;
	}

	/**
	 * The sticky header's name in lower case.
	 * @return the header name, {@code null} when the rule has none
	 */
	@Nullable String stickyHeaderKey() {
		return this.stickyHeaderKey;
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
	 * Whether this table was built from an equal instance list and the same rules, so
	 * that it still applies.
	 * @param instances an instance list
	 * @param rules rules
	 * @return whether equal
	 */
	boolean appliesTo(List<ServiceInstance> instances, GrayRules rules) {
		return this.rules == rules && this.source.equals(instances);
	}

	/**
	 * The same routing, remembered as built from an equal list (so that the next identity
	 * check is O(1)).
	 * @param instances the equal list
	 * @return a table sharing this one's pools
	 */
	GrayRoutingTable withSource(List<ServiceInstance> instances) {
		return new GrayRoutingTable(instances, this.rules, this.rule, this.stable, this.versions, this.canaryThresholds,
				this.canaryPools, this.generation, this.refreshAt);
	}

	List<ServiceInstance> stableInstances() {
		return this.stable.instances();
	}

	@Override
	public String toString() {
		return "GrayRoutingTable{stable=" + this.stable + ", versions=" + this.versions.keySet() + "}";
	}

}
