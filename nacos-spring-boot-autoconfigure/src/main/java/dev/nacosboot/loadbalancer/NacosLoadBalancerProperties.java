package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

/**
 * Gray-release load-balancing settings and rules
 * ({@code spring.cloud.nacos.loadbalancer.*}). They may live in a Nacos config data id: a
 * change applies to the next request. They validate themselves where they are bound
 * (startup, and the trial bind of a config refresh), so an invalid change is refused
 * before it reaches the application.
 */
@ConfigurationProperties(NacosLoadBalancerProperties.PREFIX)
@Validated
public class NacosLoadBalancerProperties implements Validator {

	/** Prefix of the load-balancer settings. */
	public static final String PREFIX = "spring.cloud.nacos.loadbalancer";

	/**
	 * Whether every Spring Cloud LoadBalancer client gets the gray-release balancer, over
	 * Spring Cloud's supplier chain on the push-fed Nacos instances.
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
	 * Instance metadata key that marks a canary instance when its value is "true"; canary
	 * instances get no untagged traffic unless a rule sends it there.
	 */
	private String grayMetadataKey = "gray";

	/**
	 * What a request asking for a version that no routable instance has gets, unless its
	 * service's rule says otherwise.
	 */
	private MissingVersionPolicy onMissingVersion = MissingVersionPolicy.FALLBACK;

	/**
	 * How an instance is chosen among the eligible ones, unless its service's rule says
	 * otherwise.
	 */
	private LoadBalancingStrategy strategy = LoadBalancingStrategy.WEIGHTED;

	/**
	 * Preference for instances in this application's own Nacos cluster.
	 */
	private final ClusterPreference clusterPreference = new ClusterPreference();

	/**
	 * Passive health: ejection and down-weighting of instances whose calls fail.
	 */
	private final OutlierDetection outlierDetection = new OutlierDetection();

	/**
	 * Latency tracking of the 'least-latency' strategy.
	 */
	private final LeastLatency leastLatency = new LeastLatency();

	/**
	 * Consumer side of load-aware weights.
	 */
	private final LoadAware loadAware = new LoadAware();

	/**
	 * Provider side of load-aware weights: publishing this application's CPU load.
	 */
	private final LoadPublishing loadPublishing = new LoadPublishing();

	/**
	 * Propagation of gray-routing headers to outgoing '@LoadBalanced' and OpenFeign
	 * calls.
	 */
	private final HeaderPropagation headerPropagation = new HeaderPropagation();

	/**
	 * Requeue on another instance of calls whose connection could not be made.
	 */
	private final Requeue requeue = new Requeue();

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

	public LoadBalancingStrategy getStrategy() {
		return this.strategy;
	}

	public void setStrategy(LoadBalancingStrategy strategy) {
		this.strategy = strategy;
	}

	public ClusterPreference getClusterPreference() {
		return this.clusterPreference;
	}

	public OutlierDetection getOutlierDetection() {
		return this.outlierDetection;
	}

	public LeastLatency getLeastLatency() {
		return this.leastLatency;
	}

	public LoadAware getLoadAware() {
		return this.loadAware;
	}

	public LoadPublishing getLoadPublishing() {
		return this.loadPublishing;
	}

	public HeaderPropagation getHeaderPropagation() {
		return this.headerPropagation;
	}

	public Requeue getRequeue() {
		return this.requeue;
	}

	public Map<String, ServiceRule> getServices() {
		return this.services;
	}

	public void setServices(Map<String, ServiceRule> services) {
		this.services = services;
	}

	@Override
	public boolean supports(Class<?> type) {
		return NacosLoadBalancerProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		LoadBalancerPropertiesCheck.problemsOf((NacosLoadBalancerProperties) target)
			.forEach((problem) -> problem.rejectIn(errors));
	}

	/**
	 * Preference for instances in this application's own Nacos cluster.
	 */
	public static class ClusterPreference {

		/**
		 * Whether instances in this application's cluster
		 * ('spring.cloud.nacos.discovery.cluster-name') are chosen first.
		 */
		private boolean enabled = true;

		/**
		 * Clusters tried in order when this application's cluster has no routable
		 * instance; when none of them has one either, every cluster is used.
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
	 * Passive health: failures observed by this application's calls lower an instance's
	 * weight, then eject it.
	 */
	public static class OutlierDetection {

		/**
		 * Whether failed calls lower the weight of an instance and eject it.
		 */
		private boolean enabled = true;

		/**
		 * Consecutive failed calls (5xx responses, when 'fail-on-5xx' is set) that eject
		 * an instance. A failed connect ejects it at once.
		 */
		private int consecutiveFailures = 5;

		/**
		 * Whether a 5xx response counts as a failed call.
		 */
		private boolean failOn5xx;

		/**
		 * How long a first ejection lasts; each further ejection of the same instance
		 * doubles it.
		 */
		private Duration baseEjectionTime = Duration.ofSeconds(30);

		/**
		 * Longest ejection.
		 */
		private Duration maxEjectionTime = Duration.ofMinutes(5);

		/**
		 * Largest share of a service's instances, in percent, that may be ejected or
		 * down-weighted at once for failed calls; the worst ones are chosen. Instances
		 * that refuse connections are out whatever their share, and do not count.
		 */
		private double maxEjectedPercent = 50;

		/**
		 * Whether failures below the ejection threshold already lower the weight (by
		 * 1/consecutive-failures each).
		 */
		private boolean softDownWeighting = true;

		/**
		 * Time over which the weight of an instance back from ejection, or no longer
		 * failing, grows back to full.
		 */
		private Duration rampUp = Duration.ofSeconds(30);

		/**
		 * First wait before an instance that refused a connection is probed with a TCP
		 * connect; doubled (with jitter) after each failed probe. A successful probe
		 * brings it back, ramping up.
		 */
		private Duration probeInterval = Duration.ofSeconds(1);

		/**
		 * Longest wait between two probes of an instance that refuses connections.
		 */
		private Duration maxProbeInterval = Duration.ofSeconds(30);

		/**
		 * Connect time-out of a probe.
		 */
		private Duration probeTimeout = Duration.ofSeconds(1);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getProbeInterval() {
			return this.probeInterval;
		}

		public void setProbeInterval(Duration probeInterval) {
			this.probeInterval = probeInterval;
		}

		public Duration getMaxProbeInterval() {
			return this.maxProbeInterval;
		}

		public void setMaxProbeInterval(Duration maxProbeInterval) {
			this.maxProbeInterval = maxProbeInterval;
		}

		public Duration getProbeTimeout() {
			return this.probeTimeout;
		}

		public void setProbeTimeout(Duration probeTimeout) {
			this.probeTimeout = probeTimeout;
		}

		public int getConsecutiveFailures() {
			return this.consecutiveFailures;
		}

		public void setConsecutiveFailures(int consecutiveFailures) {
			this.consecutiveFailures = consecutiveFailures;
		}

		public boolean isFailOn5xx() {
			return this.failOn5xx;
		}

		public void setFailOn5xx(boolean failOn5xx) {
			this.failOn5xx = failOn5xx;
		}

		public Duration getBaseEjectionTime() {
			return this.baseEjectionTime;
		}

		public void setBaseEjectionTime(Duration baseEjectionTime) {
			this.baseEjectionTime = baseEjectionTime;
		}

		public Duration getMaxEjectionTime() {
			return this.maxEjectionTime;
		}

		public void setMaxEjectionTime(Duration maxEjectionTime) {
			this.maxEjectionTime = maxEjectionTime;
		}

		public double getMaxEjectedPercent() {
			return this.maxEjectedPercent;
		}

		public void setMaxEjectedPercent(double maxEjectedPercent) {
			this.maxEjectedPercent = maxEjectedPercent;
		}

		public boolean isSoftDownWeighting() {
			return this.softDownWeighting;
		}

		public void setSoftDownWeighting(boolean softDownWeighting) {
			this.softDownWeighting = softDownWeighting;
		}

		public Duration getRampUp() {
			return this.rampUp;
		}

		public void setRampUp(Duration rampUp) {
			this.rampUp = rampUp;
		}

	}

	/**
	 * Latency tracking of the 'least-latency' strategy.
	 */
	public static class LeastLatency {

		/**
		 * Decay time of the moving average of an instance's latency; an idle instance's
		 * average also decays with it, so that it is tried again.
		 */
		private Duration decayTime = Duration.ofSeconds(10);

		public Duration getDecayTime() {
			return this.decayTime;
		}

		public void setDecayTime(Duration decayTime) {
			this.decayTime = decayTime;
		}

	}

	/**
	 * Consumer side of load-aware weights: the load an instance publishes in its metadata
	 * lowers its weight.
	 */
	public static class LoadAware {

		/**
		 * Whether the load an instance publishes in its metadata lowers its weight.
		 */
		private boolean enabled = true;

		/**
		 * Instance metadata key holding the load, a fraction between 0 and 1.
		 */
		private String metadataKey = "load.cpu";

		/**
		 * Smallest share of its weight that an instance keeps however high its load.
		 */
		private double minWeightFactor = 0.2;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getMetadataKey() {
			return this.metadataKey;
		}

		public void setMetadataKey(String metadataKey) {
			this.metadataKey = metadataKey;
		}

		public double getMinWeightFactor() {
			return this.minWeightFactor;
		}

		public void setMinWeightFactor(double minWeightFactor) {
			this.minWeightFactor = minWeightFactor;
		}

	}

	/**
	 * Provider side of load-aware weights: this application publishes its CPU load into
	 * its own Nacos metadata.
	 */
	public static class LoadPublishing {

		/**
		 * Whether this application publishes its smoothed CPU load into the metadata of
		 * its registered instance.
		 */
		private boolean enabled = true;

		/**
		 * How often the CPU load is sampled.
		 */
		private Duration sampleInterval = Duration.ofSeconds(5);

		/**
		 * Time constant of the moving average over the samples.
		 */
		private Duration smoothing = Duration.ofSeconds(30);

		/**
		 * Smallest change of the smoothed load (a fraction) that is published.
		 */
		private double minChange = 0.1;

		/**
		 * Shortest time between two updates of the instance in Nacos.
		 */
		private Duration minUpdateInterval = Duration.ofSeconds(20);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getSampleInterval() {
			return this.sampleInterval;
		}

		public void setSampleInterval(Duration sampleInterval) {
			this.sampleInterval = sampleInterval;
		}

		public Duration getSmoothing() {
			return this.smoothing;
		}

		public void setSmoothing(Duration smoothing) {
			this.smoothing = smoothing;
		}

		public double getMinChange() {
			return this.minChange;
		}

		public void setMinChange(double minChange) {
			this.minChange = minChange;
		}

		public Duration getMinUpdateInterval() {
			return this.minUpdateInterval;
		}

		public void setMinUpdateInterval(Duration minUpdateInterval) {
			this.minUpdateInterval = minUpdateInterval;
		}

	}

	/**
	 * Propagation of gray-routing headers from an incoming request to the '@LoadBalanced'
	 * calls made while handling it.
	 */
	public static class HeaderPropagation {

		/**
		 * Whether the version header (and the headers listed here) of an incoming request
		 * are copied to outgoing '@LoadBalanced' calls that do not set them.
		 */
		private boolean enabled;

		/**
		 * Further headers to propagate, such as the sticky header of a rule.
		 */
		private List<String> headers = new ArrayList<>();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public List<String> getHeaders() {
			return this.headers;
		}

		public void setHeaders(List<String> headers) {
			this.headers = headers;
		}

	}

	/**
	 * Requeue of calls whose connection could not be made (refused, unreachable, connect
	 * time-out) on another instance, for '@LoadBalanced' RestTemplate, RestClient and
	 * WebClient and for OpenFeign clients. No byte of such a call left this application,
	 * so it is requeued whatever its HTTP method.
	 */
	public static class Requeue {

		/**
		 * Whether a call that failed to connect is requeued on another instance.
		 */
		private boolean enabled = true;

		/**
		 * Bound on the requeues of each service.
		 */
		private final Budget budget = new Budget();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Budget getBudget() {
			return this.budget;
		}

		/**
		 * Bound on the requeues of a service, so that a dead service cannot multiply the
		 * load: a share of its recent calls plus a small floor per second.
		 */
		public static class Budget {

			/**
			 * Share of a service's calls in the window, in percent, that may be requeued.
			 */
			private double percent = 20;

			/**
			 * Requeues per second of the window that are always allowed, however few
			 * calls there were.
			 */
			private double minPerSecond = 10;

			/**
			 * How long a call or a requeue counts towards the budget.
			 */
			private Duration window = Duration.ofSeconds(10);

			public double getPercent() {
				return this.percent;
			}

			public void setPercent(double percent) {
				this.percent = percent;
			}

			public double getMinPerSecond() {
				return this.minPerSecond;
			}

			public void setMinPerSecond(double minPerSecond) {
				this.minPerSecond = minPerSecond;
			}

			public Duration getWindow() {
				return this.window;
			}

			public void setWindow(Duration window) {
				this.window = window;
			}

		}

	}

	/**
	 * Gray-release rule of one service.
	 */
	public static class ServiceRule {

		/**
		 * Version that untagged traffic goes to; unset sends it to every instance that is
		 * not a canary.
		 */
		private @Nullable String stableVersion;

		/**
		 * Share of untagged traffic, in percent (0 to 100, together at most 100), sent to
		 * each canary version; instances of these versions count as canaries.
		 */
		private Map<String, Double> canary = new LinkedHashMap<>();

		/**
		 * Request header (a user id, say) whose value decides the canary share, so that
		 * one value always lands on the same side; unset decides at random per request.
		 */
		private @Nullable String stickyHeader;

		/**
		 * What a request asking for a version that no routable instance of this service
		 * has gets; unset uses 'spring.cloud.nacos.loadbalancer.on-missing-version'.
		 */
		private @Nullable MissingVersionPolicy onMissingVersion;

		/**
		 * How an instance of this service is chosen among the eligible ones; unset uses
		 * 'spring.cloud.nacos.loadbalancer.strategy'.
		 */
		private @Nullable LoadBalancingStrategy strategy;

		public @Nullable LoadBalancingStrategy getStrategy() {
			return this.strategy;
		}

		public void setStrategy(@Nullable LoadBalancingStrategy strategy) {
			this.strategy = strategy;
		}

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
