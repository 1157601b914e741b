package dev.nacosboot.actuate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import com.alibaba.nacos.common.utils.VersionUtils;
import dev.nacosboot.config.NacosConfigRefreshHistory;
import dev.nacosboot.config.NacosConfigSources;
import dev.nacosboot.loadbalancer.GrayRules;
import dev.nacosboot.loadbalancer.GrayRulesSource;
import dev.nacosboot.registry.NacosAutoServiceRegistration;
import dev.nacosboot.registry.NacosInstanceReconciler;
import dev.nacosboot.registry.NacosRegistration;
import dev.nacosboot.registry.OutOfTrafficReason;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.Sanitizer;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code nacos} endpoint: what this application registered, subscribed to and
 * imported from Nacos, the config refresh history and errors, the gray-release rules in
 * force, and the client. One section is read with {@code /actuator/nacos/{section}}.
 * <p>
 * Its one write operation drains or restores this instance ({@code POST /actuator/nacos}
 * with {@code {"status":"OUT_OF_SERVICE"}} or {@code {"status":"UP"}}); it is available
 * only with {@code management.endpoint.nacos.access=unrestricted}, since the endpoint's
 * default access is read-only.
 * <p>
 * Never shows credentials; metadata values whose keys look like secrets are masked, and
 * the context's {@code SanitizingFunction}s apply as well.
 */
@Endpoint(id = "nacos", defaultAccess = Access.READ_ONLY)
public class NacosEndpoint {

	// How long a drain or restore waits for Nacos to hold it before answering.
	private static final long STATUS_WAIT_SECONDS = 5;

	private static final Pattern SECRET_KEY = Pattern
		.compile(".*(password|passwd|secret|token|credential|key|auth|signature|private).*");

	private final Sources sources;

	private final Sanitizer sanitizer;

	/**
	 * Creates the endpoint.
	 * @param sources what it reads
	 * @param sanitizer masks metadata values in addition to the built-in rule
	 */
	public NacosEndpoint(Sources sources, Sanitizer sanitizer) {
		this.sources = sources;
		this.sanitizer = sanitizer;
	}

	/**
	 * Every section.
	 * @return the sections by name
	 */
	@ReadOperation
	public Map<String, Object> nacos() {
		Map<String, Object> all = new LinkedHashMap<>();
		for (Section section : Section.values()) {
			all.put(section.id, render(section));
		}
		return all;
	}

	/**
	 * One section.
	 * @param section client, registration, subscriptions, config, refresh-history or
	 * gray-rules
	 * @return the section, {@code null} (404) for an unknown one
	 */
	@ReadOperation
	public @Nullable Object section(@Selector String section) {
		for (Section candidate : Section.values()) {
			if (candidate.id.equalsIgnoreCase(section)) {
				return render(candidate);
			}
		}
		return null;
	}

	/**
	 * Drains ({@code OUT_OF_SERVICE}) or restores ({@code UP}) this instance in Nacos, as
	 * an intent for the registration's reconciler; answers once Nacos holds it (or after
	 * a few seconds, with {@code inSync} false). Restoring withdraws only the drain: an
	 * instance that is out of traffic for another reason (readiness, health group) stays
	 * out.
	 * @param status {@code UP} or {@code OUT_OF_SERVICE}
	 * @return the registration after the change
	 */
	@WriteOperation
	public Map<String, Object> status(String status) {
		NacosInstanceReconciler reconciler = this.sources.reconciler().getIfAvailable();
		if (reconciler == null) {
			throw new IllegalStateException("This application does not register in Nacos");
		}
		String normalized = status.trim().toUpperCase(Locale.ROOT);
		CompletableFuture<Void> applied;
		if (NacosRegistration.STATUS_OUT_OF_SERVICE.equals(normalized)) {
			applied = reconciler.takeOutOfTraffic(OutOfTrafficReason.DRAIN);
		}
		else if (NacosRegistration.STATUS_UP.equals(normalized)) {
			applied = reconciler.putBackInTraffic(OutOfTrafficReason.DRAIN);
		}
		else {
			throw new IllegalArgumentException("Unsupported status '" + status + "': use UP or OUT_OF_SERVICE");
		}
		try {
			applied.get(STATUS_WAIT_SECONDS, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			// Answered with inSync false; the reconciler goes on applying it.
		}
		return registration();
	}

	private Object render(Section section) {
		return switch (section) {
			case CLIENT -> client();
			case REGISTRATION -> registration();
			case SUBSCRIPTIONS -> subscriptions();
			case CONFIG -> config();
			case REFRESH_HISTORY -> refreshHistory();
			case GRAY_RULES -> grayRules();
		};
	}

	private Map<String, Object> client() {
		Map<String, Object> client = new LinkedHashMap<>();
		client.put("nacosClientVersion", (VersionUtils.version != null) ? VersionUtils.version : "unknown");
		client.put("springBootVersion", SpringBootVersion.getVersion());
		String starter = NacosEndpoint.class.getPackage().getImplementationVersion();
		client.put("starterVersion", (starter != null) ? starter : "unknown");
		Map<String, Object> discovery = connection(this.sources.discoveryConnection().getIfAvailable());
		if (discovery != null) {
			discovery.put("server", this.sources.discoveryServer());
			discovery.put("namespace", this.sources.discoveryNamespace());
			client.put("discovery", discovery);
		}
		NacosConfigConnection configConnection = this.sources.configConnection().getIfAvailable();
		Map<String, Object> config = connection(this.sources.configMonitor().getIfAvailable());
		if (configConnection != null && config != null) {
			config.put("server", configConnection.serverDescription());
			config.put("namespace", configConnection.namespace());
			client.put("config", config);
		}
		return client;
	}

	private static @Nullable Map<String, Object> connection(@Nullable NacosConnectionMonitor monitor) {
		if (monitor == null) {
			return null;
		}
		NacosConnectionMonitor.Snapshot state = monitor.state();
		Map<String, Object> connection = new LinkedHashMap<>();
		connection.put("connection", state.state());
		connection.put("since", state.since().toString());
		return connection;
	}

	private Map<String, Object> registration() {
		NacosRegistration registration = this.sources.registration().getIfAvailable();
		if (registration == null) {
			return Map.of("registering", false);
		}
		Map<String, Object> details = NacosDiscoveryHealthIndicator.registrationDetails(registration,
				this.sources.autoRegistration().getIfAvailable());
		details.put("instanceId", registration.getInstanceId());
		details.put("ephemeral", registration.isEphemeral());
		details.put("configuredWeight", registration.getWeight());
		details.put("outOfTrafficFor", registration.getOutOfTrafficReasons());
		NacosInstanceReconciler reconciler = this.sources.reconciler().getIfAvailable();
		if (reconciler != null) {
			details.put("inSync", reconciler.isInSync());
		}
		Map<String, Object> metadata = new LinkedHashMap<>();
		Map<String, String> registered;
		synchronized (registration.getMetadata()) {
			registered = new LinkedHashMap<>(registration.getMetadata());
		}
		registered.forEach((key, value) -> metadata.put(key, sanitize(key, value)));
		details.put("metadata", metadata);
		return details;
	}

	private @Nullable Object sanitize(String key, String value) {
		if (SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches()) {
			return SanitizableData.SANITIZED_VALUE;
		}
		return this.sanitizer.sanitize(new SanitizableData(null, key, value), true);
	}

	private List<Map<String, Object>> subscriptions() {
		NacosSubscriptions subscriptions = this.sources.subscriptions().getIfAvailable();
		if (subscriptions == null) {
			return List.of();
		}
		List<Map<String, Object>> all = new ArrayList<>();
		for (NacosSubscriptions.Subscription subscription : subscriptions.all()) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("service", subscription.service());
			entry.put("group", subscription.group());
			entry.put("instances", subscription.instances());
			entry.put("pushes", subscription.pushes());
			entry.put("lastPush", (subscription.lastPush() != null) ? subscription.lastPush().toString() : null);
			all.add(entry);
		}
		return all;
	}

	private List<Map<String, Object>> config() {
		NacosConfigSources configSources = this.sources.configSources().getIfAvailable();
		if (configSources == null) {
			return List.of();
		}
		NacosConfigRefreshHistory history = this.sources.history().getIfAvailable();
		List<NacosConfigRefreshHistory.Refresh> refreshes = (history != null) ? history.refreshes() : List.of();
		Map<String, NacosConfigRefreshHistory.Refresh> failures = (history != null) ? history.lastFailures() : Map.of();
		List<Map<String, Object>> all = new ArrayList<>();
		int order = 0;
		for (NacosConfigSources.Loaded loaded : configSources.all()) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("dataId", loaded.resource().getDataId());
			entry.put("group", loaded.resource().getGroup());
			entry.put("namespace",
					(loaded.resource().getNamespace() != null) ? loaded.resource().getNamespace() : "public");
			entry.put("kind", loaded.resource().getKind());
			entry.put("loadOrder", order++);
			entry.put("refreshable", loaded.resource().isRefresh());
			entry.put("md5", loaded.md5());
			if (loaded.missingSince() != null) {
				entry.put("missingSince", loaded.missingSince().toString());
			}
			NacosConfigRefreshHistory.Refresh last = NacosConfigHealthIndicator.lastOf(refreshes,
					loaded.propertySourceName());
			entry.put("lastRefresh", (last != null) ? last.time().toString() : null);
			NacosConfigRefreshHistory.Refresh failure = failures.get(loaded.propertySourceName());
			if (failure != null) {
				entry.put("lastError", NacosConfigHealthIndicator.errorDetails(failure));
			}
			all.add(entry);
		}
		return all;
	}

	private List<Map<String, Object>> refreshHistory() {
		NacosConfigRefreshHistory history = this.sources.history().getIfAvailable();
		if (history == null) {
			return List.of();
		}
		List<Map<String, Object>> all = new ArrayList<>();
		for (NacosConfigRefreshHistory.Refresh refresh : history.refreshes()) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("time", refresh.time().toString());
			entry.put("dataId", refresh.dataId());
			entry.put("group", refresh.group());
			entry.put("md5", refresh.md5());
			entry.put("outcome", refresh.outcome());
			entry.put("changedKeys", refresh.changedKeys());
			entry.put("durationMillis", refresh.duration().toNanos() / 1_000_000.0);
			if (refresh.error() != null) {
				entry.put("error", refresh.error());
			}
			all.add(entry);
		}
		return all;
	}

	private Map<String, Object> grayRules() {
		GrayRulesSource source = this.sources.grayRules().getIfAvailable();
		if (source == null) {
			return Map.of();
		}
		GrayRules rules = source.current();
		Map<String, Object> rendered = new LinkedHashMap<>();
		rendered.put("versionHeader", rules.versionHeader());
		rendered.put("versionMetadataKey", rules.versionMetadataKey());
		rendered.put("grayMetadataKey", rules.grayMetadataKey());
		rendered.put("preferLocalCluster", rules.preferLocalCluster());
		rendered.put("fallbackClusters", rules.fallbackClusters());
		rendered.put("default", rule(rules.defaultRule()));
		Map<String, Object> services = new LinkedHashMap<>();
		rules.services()
			.entrySet()
			.stream()
			.sorted(Map.Entry.comparingByKey())
			.forEach((entry) -> services.put(entry.getKey(), rule(entry.getValue())));
		rendered.put("services", services);
		rendered.put("lastRejection", source.getLastRejection());
		return rendered;
	}

	private static Map<String, Object> rule(GrayRules.ServiceRule rule) {
		Map<String, Object> rendered = new LinkedHashMap<>();
		rendered.put("stableVersion", rule.stableVersion());
		Map<String, Object> canaries = new LinkedHashMap<>();
		rule.canaries().forEach((canary) -> canaries.put(canary.version(), canary.basisPoints() / 100.0));
		rendered.put("canaryPercent", canaries);
		rendered.put("stickyHeader", rule.stickyHeader());
		rendered.put("onMissingVersion", rule.onMissingVersion());
		return rendered;
	}

	enum Section {

		CLIENT("client"), REGISTRATION("registration"), SUBSCRIPTIONS("subscriptions"), CONFIG("config"),
		REFRESH_HISTORY("refresh-history"), GRAY_RULES("gray-rules");

		private final String id;

		Section(String id) {
			this.id = id;
		}

	}

	/**
	 * What the endpoint reads; each part is optional, as each concern can be off.
	 *
	 * @param registration this application's instance
	 * @param autoRegistration its registration lifecycle
	 * @param reconciler drains and restores it
	 * @param subscriptions the subscribed services
	 * @param discoveryConnection the naming client's connection
	 * @param discoveryServer where the naming client connects
	 * @param discoveryNamespace the naming client's namespace
	 * @param configSources the imported configs
	 * @param history their refreshes
	 * @param configConnection the config clients
	 * @param configMonitor the config clients' connection
	 * @param grayRules the gray-release rules
	 */
	public record Sources(ObjectProvider<NacosRegistration> registration,
			ObjectProvider<NacosAutoServiceRegistration> autoRegistration,
			ObjectProvider<NacosInstanceReconciler> reconciler, ObjectProvider<NacosSubscriptions> subscriptions,
			ObjectProvider<NacosConnectionMonitor> discoveryConnection, String discoveryServer,
			String discoveryNamespace, ObjectProvider<NacosConfigSources> configSources,
			ObjectProvider<NacosConfigRefreshHistory> history, ObjectProvider<NacosConfigConnection> configConnection,
			ObjectProvider<NacosConnectionMonitor> configMonitor, ObjectProvider<GrayRulesSource> grayRules) {
	}

}
