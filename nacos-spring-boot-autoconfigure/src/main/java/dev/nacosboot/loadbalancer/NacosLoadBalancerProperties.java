package dev.nacosboot.loadbalancer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Gray-release load-balancing settings and rules ({@code spring.cloud.nacos.loadbalancer.*}). They may live in a
 * Nacos config data id: a change applies to the next request; an invalid change is rejected and the previous rules
 * stay.
 */
@ConfigurationProperties(NacosLoadBalancerProperties.PREFIX)
public class NacosLoadBalancerProperties {

	/** Prefix of the load-balancer settings. */
	public static final String PREFIX = "spring.cloud.nacos.loadbalancer";

	/**
	 * Whether the Nacos load balancer replaces Spring Cloud LoadBalancer's default instance supplier and balancer
	 * for every client.
	 */
	private boolean enabled = true;

	/**
	 * Request header naming the version a request wants to reach.
	 */
	private String versionHeader = "X-Gray-Version";

	/**
	 * Instance metadata key holding the instance's version.
	 */
	private String versionMetadataKey = "version";

	/**
	 * Instance metadata key that marks a canary instance when its value is "true"; canary instances get no untagged
	 * traffic unless a rule sends it there.
	 */
	private String grayMetadataKey = "gray";

	/**
	 * What a request asking for a version that no routable instance has gets, unless its service's rule says
	 * otherwise.
	 */
	private MissingVersionPolicy onMissingVersion = MissingVersionPolicy.FALLBACK;

	private final ClusterPreference clusterPreference = new ClusterPreference();

	/**
	 * Gray-release rules by service id.
	 */
	private Map<String, ServiceRule> services = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getVersionHeader() {
		return this.versionHeader;
	}

	public void setVersionHeader(String versionHeader) {
		this.versionHeader = versionHeader;
	}

	public String getVersionMetadataKey() {
		return this.versionMetadataKey;
	}

	public void setVersionMetadataKey(String versionMetadataKey) {
		this.versionMetadataKey = versionMetadataKey;
	}

	public String getGrayMetadataKey() {
		return this.grayMetadataKey;
	}

	public void setGrayMetadataKey(String grayMetadataKey) {
		this.grayMetadataKey = grayMetadataKey;
	}

	public MissingVersionPolicy getOnMissingVersion() {
		return this.onMissingVersion;
	}

	public void setOnMissingVersion(MissingVersionPolicy onMissingVersion) {
		this.onMissingVersion = onMissingVersion;
	}

	public ClusterPreference getClusterPreference() {
		return this.clusterPreference;
	}

	public Map<String, ServiceRule> getServices() {
		return this.services;
	}

	public void setServices(Map<String, ServiceRule> services) {
		this.services = services;
	}

	/**
	 * Preference for instances in this application's own Nacos cluster.
	 */
	public static class ClusterPreference {

		/**
		 * Whether instances in this application's cluster ('spring.cloud.nacos.discovery.cluster-name') are chosen
		 * first.
		 */
		private boolean enabled = true;

		/**
		 * Clusters tried in order when this application's cluster has no routable instance; when none of them has
		 * one either, every cluster is used.
		 */
		private List<String> fallbackClusters = new ArrayList<>();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public List<String> getFallbackClusters() {
			return this.fallbackClusters;
		}

		public void setFallbackClusters(List<String> fallbackClusters) {
			this.fallbackClusters = fallbackClusters;
		}

	}

	/**
	 * Gray-release rule of one service.
	 */
	public static class ServiceRule {

		/**
		 * Version that untagged traffic goes to; unset sends it to every instance that is not a canary.
		 */
		private @Nullable String stableVersion;

		/**
		 * Share of untagged traffic, in percent (0 to 100, together at most 100), sent to each canary version;
		 * instances of these versions count as canaries.
		 */
		private Map<String, Double> canary = new LinkedHashMap<>();

		/**
		 * Request header (a user id, say) whose value decides the canary share, so that one value always lands on
		 * the same side; unset decides at random per request.
		 */
		private @Nullable String stickyHeader;

		/**
		 * What a request asking for a version that no routable instance of this service has gets; unset uses
		 * 'spring.cloud.nacos.loadbalancer.on-missing-version'.
		 */
		private @Nullable MissingVersionPolicy onMissingVersion;

		public @Nullable String getStableVersion() {
			return this.stableVersion;
		}

		public void setStableVersion(@Nullable String stableVersion) {
			this.stableVersion = stableVersion;
		}

		public Map<String, Double> getCanary() {
			return this.canary;
		}

		public void setCanary(Map<String, Double> canary) {
			this.canary = canary;
		}

		public @Nullable String getStickyHeader() {
			return this.stickyHeader;
		}

		public void setStickyHeader(@Nullable String stickyHeader) {
			this.stickyHeader = stickyHeader;
		}

		public @Nullable MissingVersionPolicy getOnMissingVersion() {
			return this.onMissingVersion;
		}

		public void setOnMissingVersion(@Nullable MissingVersionPolicy onMissingVersion) {
			this.onMissingVersion = onMissingVersion;
		}

	}

}
