package dev.nacosboot.discovery;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.nacosboot.core.NacosConnectionProperties;
import dev.nacosboot.core.NacosPropertyViolations;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Service discovery and registration settings ({@code spring.cloud.nacos.discovery.*});
 * names follow Spring Cloud Alibaba. Connection settings set here override the shared
 * {@code spring.cloud.nacos.*} ones.
 */
@ConfigurationProperties(NacosDiscoveryProperties.PREFIX)
public class NacosDiscoveryProperties extends NacosConnectionProperties implements Validator {

	/** Prefix of the discovery settings. */
	public static final String PREFIX = "spring.cloud.nacos.discovery";

	/** Nacos's default group. */
	public static final String DEFAULT_GROUP = "DEFAULT_GROUP";

	/** Nacos's default cluster. */
	public static final String DEFAULT_CLUSTER = "DEFAULT";

	/**
	 * Whether Nacos service discovery and registration are enabled.
	 */
	private boolean enabled = true;

	/**
	 * Service name this application registers as; defaults to 'spring.application.name'.
	 */
	private @Nullable String service;

	/**
	 * Group this application registers in, and the first group it discovers.
	 */
	private String group = DEFAULT_GROUP;

	/**
	 * Groups to discover services in; empty means only 'group'. Instances of a service
	 * found in several groups are merged, earlier groups first.
	 */
	private List<String> groups = new ArrayList<>();

	/**
	 * Cluster this instance belongs to.
	 */
	private String clusterName = DEFAULT_CLUSTER;

	/**
	 * Whether discovery returns only healthy, enabled instances with a weight above 0.
	 */
	private boolean healthyOnly = true;

	/**
	 * How long after the client reconnects an empty instance list from the server is held
	 * back (the last known instances keep serving), because a restarted server answers
	 * before the providers have registered again. Zero applies empty lists at once.
	 */
	private Duration emptyGraceAfterReconnect = NacosInstanceView.DEFAULT_EMPTY_GRACE_AFTER_RECONNECT;

	/**
	 * Interval at which the service list is read from the server when the server cannot
	 * push its changes (a Nacos 2.x server, or a Nacos 3 server with fuzzy watch off);
	 * otherwise the list is never polled. A plain number is read as milliseconds, as
	 * Spring Cloud Alibaba's 'watch-delay' is.
	 */
	private Duration watchDelay = Duration.ofSeconds(30);

	/**
	 * Change events of discovery.
	 */
	private final Watch watch = new Watch();

	/**
	 * Whether the client loads its on-disk instance cache at start, so that discovery
	 * answers while the server is unreachable.
	 */
	private boolean namingLoadCacheAtStart;

	/**
	 * Whether to fail startup when the instance cannot be registered (otherwise
	 * registration retries in the background).
	 */
	private boolean failFast;

	/**
	 * Whether this application registers itself.
	 */
	private boolean registerEnabled = true;

	/**
	 * IP address to register; unset selects one from the network interfaces.
	 */
	private @Nullable String ip;

	/**
	 * Port to register; unset (-1) uses the web server's port.
	 */
	private int port = -1;

	/**
	 * Network interface whose address is registered, e.g. "eth0".
	 */
	private @Nullable String networkInterface;

	/**
	 * Address family to register when the ip is selected automatically: "IPv4" or "IPv6";
	 * the other family is used when no address of this one exists.
	 */
	private String ipType = "IPv4";

	/**
	 * Networks preferred when selecting the ip, each a CIDR ("10.0.0.0/8") or a regular
	 * expression ("192\.168\..*").
	 */
	private List<String> preferredNetworks = new ArrayList<>();

	/**
	 * Network interfaces never used when selecting the ip, as regular expressions on
	 * their names ("docker0", "veth.*").
	 */
	private List<String> ignoredInterfaces = new ArrayList<>();

	/**
	 * Weight of this instance (0 to 10000); a weight of 0 takes no traffic.
	 */
	private float weight = 1;

	/**
	 * Whether the instance is ephemeral (kept alive by the client's connection).
	 */
	private boolean ephemeral = true;

	/**
	 * Whether the registered instance accepts traffic.
	 */
	private boolean instanceEnabled = true;

	/**
	 * Whether the registered instance is reached over https.
	 */
	private boolean secure;

	/**
	 * Metadata registered with the instance; 'version' is also taken from the build info
	 * when unset here.
	 */
	private Map<String, String> metadata = new LinkedHashMap<>();

	/**
	 * Largest metadata the server accepts for an instance, in characters of its keys and
	 * values together (a Nacos server's 'nacos.naming.service.metadata.length'). A
	 * registration above it fails startup; 0 turns the check off (a server with its
	 * parameter check disabled).
	 */
	private int maxMetadataLength = 1024;

	/**
	 * Whether the instance is registered disabled until the application's readiness state
	 * is ACCEPTING_TRAFFIC, and disabled again when it refuses traffic.
	 */
	private boolean readinessGating = true;

	/**
	 * Time over which the registered weight ramps up to 'weight' after the instance
	 * becomes ready; unset or 0 registers the full weight at once.
	 */
	private @Nullable Duration warmup;

	/**
	 * Fraction of 'weight' registered when the warm-up starts (above 0, at most 1).
	 */
	private double warmupInitialWeightRatio = 0.1;

	/**
	 * Longest time shutdown waits, after deregistering, for the server to confirm the
	 * removal to subscribers.
	 */
	private Duration deregistrationTimeout = Duration.ofSeconds(3);

	/**
	 * Extra wait at shutdown once the removal has reached this application's own naming
	 * client, before the web server stops accepting, for subscribers that learn of it
	 * later. Milliseconds when no unit is given, as in Spring Cloud Alibaba (which sleeps
	 * 10 s unconditionally). When not set: nothing against a single server address, and
	 * 1.5 s against a list of several or an endpoint (a cluster), whose other members
	 * learn of the removal from the member this application is connected to about 1 s
	 * later (Nacos's sync between members) before they push it to their subscribers.
	 */
	@DurationUnit(ChronoUnit.MILLIS)
	private @Nullable Duration gracefulShutdownWaitTime;

	/**
	 * Background registration retries while the server is unreachable.
	 */
	private final Retry retry = new Retry();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable String getService() {
		return this.service;
	}

	public void setService(@Nullable String service) {
		this.service = service;
	}

	public String getGroup() {
		return this.group;
	}

	public void setGroup(String group) {
		this.group = group;
	}

	public List<String> getGroups() {
		return this.groups;
	}

	public void setGroups(List<String> groups) {
		this.groups = groups;
	}

	public String getClusterName() {
		return this.clusterName;
	}

	public void setClusterName(String clusterName) {
		this.clusterName = clusterName;
	}

	public Duration getEmptyGraceAfterReconnect() {
		return this.emptyGraceAfterReconnect;
	}

	public void setEmptyGraceAfterReconnect(Duration emptyGraceAfterReconnect) {
		this.emptyGraceAfterReconnect = emptyGraceAfterReconnect;
	}

	public boolean isHealthyOnly() {
		return this.healthyOnly;
	}

	public void setHealthyOnly(boolean healthyOnly) {
		this.healthyOnly = healthyOnly;
	}

	public Duration getWatchDelay() {
		return this.watchDelay;
	}

	public void setWatchDelay(Duration watchDelay) {
		this.watchDelay = watchDelay;
	}

	public Watch getWatch() {
		return this.watch;
	}

	public boolean isNamingLoadCacheAtStart() {
		return this.namingLoadCacheAtStart;
	}

	public void setNamingLoadCacheAtStart(boolean namingLoadCacheAtStart) {
		this.namingLoadCacheAtStart = namingLoadCacheAtStart;
	}

	public boolean isFailFast() {
		return this.failFast;
	}

	public void setFailFast(boolean failFast) {
		this.failFast = failFast;
	}

	public boolean isRegisterEnabled() {
		return this.registerEnabled;
	}

	public void setRegisterEnabled(boolean registerEnabled) {
		this.registerEnabled = registerEnabled;
	}

	public @Nullable String getIp() {
		return this.ip;
	}

	public void setIp(@Nullable String ip) {
		this.ip = ip;
	}

	public int getPort() {
		return this.port;
	}

	public void setPort(int port) {
		this.port = port;
	}

	public @Nullable String getNetworkInterface() {
		return this.networkInterface;
	}

	public void setNetworkInterface(@Nullable String networkInterface) {
		this.networkInterface = networkInterface;
	}

	public String getIpType() {
		return this.ipType;
	}

	public void setIpType(String ipType) {
		this.ipType = ipType;
	}

	public List<String> getPreferredNetworks() {
		return this.preferredNetworks;
	}

	public void setPreferredNetworks(List<String> preferredNetworks) {
		this.preferredNetworks = preferredNetworks;
	}

	public List<String> getIgnoredInterfaces() {
		return this.ignoredInterfaces;
	}

	public void setIgnoredInterfaces(List<String> ignoredInterfaces) {
		this.ignoredInterfaces = ignoredInterfaces;
	}

	public float getWeight() {
		return this.weight;
	}

	public void setWeight(float weight) {
		this.weight = weight;
	}

	public boolean isEphemeral() {
		return this.ephemeral;
	}

	public void setEphemeral(boolean ephemeral) {
		this.ephemeral = ephemeral;
	}

	public boolean isInstanceEnabled() {
		return this.instanceEnabled;
	}

	public void setInstanceEnabled(boolean instanceEnabled) {
		this.instanceEnabled = instanceEnabled;
	}

	public boolean isSecure() {
		return this.secure;
	}

	public void setSecure(boolean secure) {
		this.secure = secure;
	}

	public Map<String, String> getMetadata() {
		return this.metadata;
	}

	public void setMetadata(Map<String, String> metadata) {
		this.metadata = metadata;
	}

	public int getMaxMetadataLength() {
		return this.maxMetadataLength;
	}

	public void setMaxMetadataLength(int maxMetadataLength) {
		this.maxMetadataLength = maxMetadataLength;
	}

	public boolean isReadinessGating() {
		return this.readinessGating;
	}

	public void setReadinessGating(boolean readinessGating) {
		this.readinessGating = readinessGating;
	}

	public @Nullable Duration getWarmup() {
		return this.warmup;
	}

	public void setWarmup(@Nullable Duration warmup) {
		this.warmup = warmup;
	}

	public double getWarmupInitialWeightRatio() {
		return this.warmupInitialWeightRatio;
	}

	public void setWarmupInitialWeightRatio(double warmupInitialWeightRatio) {
		this.warmupInitialWeightRatio = warmupInitialWeightRatio;
	}

	public Duration getDeregistrationTimeout() {
		return this.deregistrationTimeout;
	}

	public void setDeregistrationTimeout(Duration deregistrationTimeout) {
		this.deregistrationTimeout = deregistrationTimeout;
	}

	public @Nullable Duration getGracefulShutdownWaitTime() {
		return this.gracefulShutdownWaitTime;
	}

	public void setGracefulShutdownWaitTime(@Nullable Duration gracefulShutdownWaitTime) {
		this.gracefulShutdownWaitTime = gracefulShutdownWaitTime;
	}

	public Retry getRetry() {
		return this.retry;
	}

	@Override
	public boolean supports(Class<?> type) {
		return NacosDiscoveryProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		NacosPropertyViolations violations = new NacosPropertyViolations();
		NacosDiscoveryPropertiesValidator.validate((NacosDiscoveryProperties) target, violations);
		violations.reportTo(PREFIX, errors);
	}

	/**
	 * Change events of discovery.
	 */
	public static class Watch {

		/**
		 * Whether every change of what discovery sees (the instances of a service in use,
		 * or the list of services) is published as a HeartbeatEvent, on which Spring
		 * Cloud Gateway refreshes its discovery routes.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Background registration retries while the server is unreachable.
	 */
	public static class Retry {

		/**
		 * Delay before the first retry.
		 */
		private Duration initialInterval = Duration.ofSeconds(1);

		/**
		 * Longest delay between retries; delays double up to it, with random jitter of up
		 * to a fifth.
		 */
		private Duration maxInterval = Duration.ofSeconds(30);

		public Duration getInitialInterval() {
			return this.initialInterval;
		}

		public void setInitialInterval(Duration initialInterval) {
			this.initialInterval = initialInterval;
		}

		public Duration getMaxInterval() {
			return this.maxInterval;
		}

		public void setMaxInterval(Duration maxInterval) {
			this.maxInterval = maxInterval;
		}

	}

}
