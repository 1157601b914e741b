package dev.nacosboot.core;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What this starter does with each property of Spring Cloud Alibaba 2025.1's Nacos
 * starters (the names in their configuration metadata): it binds to ours with the same
 * meaning, is ignored because it has no meaning here (reported once at startup when set),
 * or is refused at startup with the property to use instead. The tests check every
 * property of SCA's metadata against this table and generate
 * {@code docs/sca-properties.md} from it.
 */
final class ScaCompatibility {

	private static final String CONFIG = "spring.cloud.nacos.config.";

	private static final String DISCOVERY = "spring.cloud.nacos.discovery.";

	private static final String NON_CLOUD = "Spring Cloud Alibaba reads spring.nacos.* only when its config module is"
			+ " used without its Spring Cloud starter; this starter reads spring.cloud.nacos.*";

	private static final String GRPC_HEARTBEAT = "Nacos 2 and later keep ephemeral instances alive through the"
			+ " client's gRPC connection; Spring Cloud Alibaba only passes this on as instance metadata that Nacos 1"
			+ " heartbeats read";

	static final List<Entry> ENTRIES = List.of(
			// Shared connection settings.
			bound("spring.cloud.nacos.server-addr"), bound("spring.cloud.nacos.username"),
			bound("spring.cloud.nacos.password"),
			ignored("spring.cloud.nacos.name",
					"Spring Cloud Alibaba's spring.config.import support reads no such key (its bootstrap mode took"
							+ " the data id stem from spring.cloud.nacos.config.name): the stem of a bare 'nacos:'"
							+ " import is spring.cloud.nacos.config.prefix"),
			// Config.
			bound(CONFIG + "enabled"), bound(CONFIG + "server-addr"), bound(CONFIG + "namespace"),
			bound(CONFIG + "username"), bound(CONFIG + "password"), bound(CONFIG + "access-key"),
			bound(CONFIG + "secret-key"), bound(CONFIG + "endpoint"), bound(CONFIG + "context-path"),
			bound(CONFIG + "group"), bound(CONFIG + "file-extension"),
			bound(CONFIG + "prefix", CONFIG + "prefix",
					"stem of the data ids a bare 'nacos:' import derives (Spring Cloud Alibaba's imports name every"
							+ " data id)"),
			bound(CONFIG + "refresh-enabled"),
			bound(CONFIG + "timeout", CONFIG + "timeout",
					"milliseconds as in Spring Cloud Alibaba; a unit works too (3s)"),
			bound(CONFIG + "shared-configs"), bound(CONFIG + "extension-configs"),
			bound(CONFIG + "ext-config", CONFIG + "ext-config", "deprecated alias of extension-configs, as there"),
			bound(CONFIG + "preference", CONFIG + "preference", "also accepts local-first"),
			bound(CONFIG + "import-check.enabled", CONFIG + "import-check.enabled",
					"off by default: this starter also serves applications that use only discovery"),
			bound(CONFIG + "encode"), bound(CONFIG + "max-retry"), bound(CONFIG + "enable-remote-sync-config"),
			bound(CONFIG + "cluster-name"), bound(CONFIG + "ram-role-name"),
			refused(CONFIG + "shared-dataids", CONFIG + "shared-configs[n].data-id",
					"deprecated in Spring Cloud Alibaba; list each data id under shared-configs"),
			refused(CONFIG + "refreshable-dataids", CONFIG + "shared-configs[n].refresh",
					"deprecated in Spring Cloud Alibaba; set refresh: true on the shared-configs entries"),
			ignored(CONFIG + "refresh-behavior",
					"a change always rebinds exactly the beans whose keys changed (directly or through a"
							+ " placeholder), which is what all_beans and specific_bean both end with"),
			ignored(CONFIG + "config-long-poll-timeout",
					"nacos-client 3 no longer reads it: config changes are pushed over gRPC"),
			ignored(CONFIG + "config-retry-time",
					"nacos-client 3 no longer reads it: config changes are pushed over" + " gRPC"),
			// Config, spring-alibaba-nacos-config without the Spring Cloud starter.
			refused("spring.nacos.server-addr", "spring.cloud.nacos.server-addr", NON_CLOUD),
			refused("spring.nacos.username", "spring.cloud.nacos.username", NON_CLOUD), refusedNonCloud("server-addr"),
			refusedNonCloud("encode"), refusedNonCloud("prefix"), refusedNonCloud("file-extension"),
			refusedNonCloud("shared-dataids"), refusedNonCloud("shared-configs"),
			refusedNonCloud("refreshable-dataids"), refusedNonCloud("ext-config"), refusedNonCloud("extension-configs"),
			refusedNonCloud("refresh-enabled"), refusedNonCloud("enabled"), refusedNonCloud("username"),
			refusedNonCloud("password"), refusedNonCloud("import-check.enabled"), refusedNonCloud("preference"),
			alias("spring.nacos.config.health-indicator.enabled", "management.health.nacos-config.enabled",
					"Spring Cloud Alibaba's switch of its config health indicator (off there by default, on here)"),
			// Discovery.
			bound(DISCOVERY + "enabled"), bound(DISCOVERY + "server-addr"), bound(DISCOVERY + "namespace"),
			bound(DISCOVERY + "username"), bound(DISCOVERY + "password"), bound(DISCOVERY + "access-key"),
			bound(DISCOVERY + "secret-key"), bound(DISCOVERY + "endpoint"), bound(DISCOVERY + "service"),
			bound(DISCOVERY + "group"), bound(DISCOVERY + "cluster-name"), bound(DISCOVERY + "ip"),
			bound(DISCOVERY + "port"), bound(DISCOVERY + "ip-type"), bound(DISCOVERY + "network-interface"),
			bound(DISCOVERY + "weight"), bound(DISCOVERY + "metadata"), bound(DISCOVERY + "ephemeral"),
			bound(DISCOVERY + "secure"), bound(DISCOVERY + "register-enabled"), bound(DISCOVERY + "instance-enabled"),
			bound(DISCOVERY + "naming-load-cache-at-start"),
			bound(DISCOVERY + "namingLoadCacheAtStart", DISCOVERY + "naming-load-cache-at-start",
					"the camel-case spelling binds through Spring Boot's relaxed binding"),
			bound(DISCOVERY + "fail-fast", DISCOVERY + "fail-fast",
					"off by default: an application starts while Nacos is down and registers once it is back"),
			bound(DISCOVERY + "watch.enabled", DISCOVERY + "watch.enabled",
					"false publishes no HeartbeatEvent; on by default: events follow real changes of the instances"
							+ " and of the service list, not a timer"),
			bound("spring.cloud.loadbalancer.nacos.enabled", "spring.cloud.loadbalancer.nacos.enabled",
					"false uses Spring Cloud's default balancer over this starter's DiscoveryClient; the Nacos"
							+ " balancer is on by default"),
			alias(DISCOVERY + "health-indicator.enabled", "management.health.nacos-discovery.enabled",
					"Spring Cloud Alibaba's switch of its discovery health indicator (off there by default, on here)"),
			bound(DISCOVERY + "watch-delay", DISCOVERY + "watch-delay",
					"interval at which the service list is read where the server cannot push it (Nacos 2.x, fuzzy"
							+ " watch off); no HeartbeatEvent timer: events follow real changes"),
			ignored(DISCOVERY + "heart-beat.enabled",
					"HeartbeatEvent follows every real change of a subscribed service and of the service list, not a"
							+ " timer; spring.cloud.nacos.discovery.watch.enabled=false turns it off"),
			ignored(DISCOVERY + "heart-beat-interval", GRPC_HEARTBEAT),
			ignored(DISCOVERY + "heart-beat-timeout", GRPC_HEARTBEAT),
			ignored(DISCOVERY + "ip-delete-timeout", GRPC_HEARTBEAT),
			ignored(DISCOVERY + "log-name", "nacos-client 3 logs through the application's logging system"),
			ignored(DISCOVERY + "nacos-properties",
					"not a setting in Spring Cloud Alibaba (its metadata lists a read-only getter);"
							+ " nacos-client keys go under spring.cloud.nacos.client.*"),
			ignored(DISCOVERY + "failure-tolerance-enabled",
					"always on here: the DiscoveryClient answers from the last pushed instances while the server"
							+ " is unreachable"),
			bound(DISCOVERY + "graceful-shutdown-wait-time", DISCOVERY + "graceful-shutdown-wait-time",
					"milliseconds as there (a unit works too); added after the removal push has reached this"
							+ " application, for slower subscribers (shutdown first waits for that push, bounded by"
							+ " deregistration-timeout); by default 1.5 s here against several server addresses or an"
							+ " endpoint (a cluster's other members learn of the removal about 1 s later) and 0 against"
							+ " one, 10 s there, where it is the only wait"),
			// Actuator.
			refused("management.endpoint.nacosconfig.access", "management.endpoint.nacos.access",
					"this starter has one endpoint, 'nacos', for discovery and config"),
			refused("management.endpoint.nacosdiscovery.access", "management.endpoint.nacos.access",
					"this starter has one endpoint, 'nacos', for discovery and config"),
			ignored("management.endpoint.nacosconfig.cache.time-to-live",
					"no 'nacosconfig' endpoint here; the 'nacos' endpoint's cache is"
							+ " management.endpoint.nacos.cache.time-to-live"),
			ignored("management.endpoint.nacosdiscovery.cache.time-to-live",
					"no 'nacosdiscovery' endpoint here; the 'nacos' endpoint's cache is"
							+ " management.endpoint.nacos.cache.time-to-live"));

	private ScaCompatibility() {
	}

	static @Nullable Entry find(String scaProperty) {
		for (Entry entry : ENTRIES) {
			if (entry.scaProperty().equals(scaProperty)) {
				return entry;
			}
		}
		return null;
	}

	private static Entry bound(String property) {
		return new Entry(property, Status.BOUND, property, "");
	}

	private static Entry bound(String property, String ours, String note) {
		return new Entry(property, Status.BOUND, ours, note);
	}

	private static Entry alias(String property, String ours, String note) {
		return new Entry(property, Status.ALIAS, ours, note);
	}

	private static Entry ignored(String property, String reason) {
		return new Entry(property, Status.IGNORED, "", reason);
	}

	private static Entry refused(String property, String replacement, String reason) {
		return new Entry(property, Status.REFUSED, replacement, reason);
	}

	private static Entry refusedNonCloud(String configProperty) {
		return refused("spring.nacos.config." + configProperty, CONFIG + configProperty, NON_CLOUD);
	}

	/**
	 * What happens to one Spring Cloud Alibaba property.
	 *
	 * @param scaProperty the property as Spring Cloud Alibaba's metadata names it
	 * @param status what this starter does with it
	 * @param ours the property that binds it (bound, alias) or replaces it (refused);
	 * empty when ignored
	 * @param note why it is ignored or refused, or what differs while the meaning is the
	 * same
	 */
	record Entry(String scaProperty, Status status, String ours, String note) {
	}

	/**
	 * What this starter does with a Spring Cloud Alibaba property.
	 */
	enum Status {

		/** Binds to this starter's property of the same name, with the same meaning. */
		BOUND,

		/**
		 * Sets another property of this starter, with the same meaning, unless that one
		 * is set.
		 */
		ALIAS,

		/** Has no meaning here; reported once at startup at INFO when set. */
		IGNORED,

		/** Startup fails with a report naming the property to use instead. */
		REFUSED

	}

}
