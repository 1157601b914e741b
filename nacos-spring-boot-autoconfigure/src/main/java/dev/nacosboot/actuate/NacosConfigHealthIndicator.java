package dev.nacosboot.actuate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.nacosboot.config.NacosConfigRefreshHistory;
import dev.nacosboot.config.NacosConfigSources;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the config clients: UP while connected or reconnecting within the grace
 * period, DOWN after it. A refused change (malformed or invalid content) keeps the last
 * good config and is shown in the details, without changing the status; so is a required
 * data id deleted on the server, until it is back. Details: server, namespace, connection
 * state and since when, each data id with its md5 and last refresh, and the last error
 * per data id. Never credentials or config values.
 */
public class NacosConfigHealthIndicator implements HealthIndicator {

	private final NacosConnectionMonitor monitor;

	private final NacosConfigConnection connection;

	private final NacosConfigSources sources;

	private final @Nullable NacosConfigRefreshHistory history;

	public NacosConfigHealthIndicator(NacosConnectionMonitor monitor, NacosConfigConnection connection,
			NacosConfigSources sources, @Nullable NacosConfigRefreshHistory history) {
		this.monitor = monitor;
		this.connection = connection;
		this.sources = sources;
		this.history = history;
	}

	@Override
	public Health health() {
		NacosConnectionMonitor.Snapshot state = this.monitor.state();
		Health.Builder builder = state.state().isHealthy() ? Health.up() : Health.down();
		builder.withDetail("server", this.connection.serverDescription())
			.withDetail("namespace", this.connection.namespace())
			.withDetail("connection", state.state())
			.withDetail("since", state.since().toString());
		List<NacosConfigRefreshHistory.Refresh> refreshes = (this.history != null) ? this.history.refreshes()
				: List.of();
		List<Map<String, Object>> configs = new ArrayList<>();
		for (NacosConfigSources.Loaded loaded : this.sources.all()) {
			Map<String, Object> config = new LinkedHashMap<>();
			config.put("dataId", loaded.resource().getDataId());
			config.put("group", loaded.resource().getGroup());
			if (loaded.resource().getNamespace() != null) {
				config.put("namespace", loaded.resource().getNamespace());
			}
			config.put("md5", (loaded.md5() != null) ? loaded.md5() : "(not loaded)");
			if (loaded.missingSince() != null) {
				config.put("missingSince", loaded.missingSince().toString());
				config.put("missing", "deleted on the server; the last good values stay until it is back");
			}
			NacosConfigRefreshHistory.Refresh last = lastOf(refreshes, loaded.propertySourceName());
			if (last != null) {
				config.put("lastRefresh", last.time().toString());
				config.put("lastOutcome", last.outcome());
			}
			configs.add(config);
		}
		builder.withDetail("configs", configs);
		if (this.history != null) {
			List<Map<String, Object>> errors = new ArrayList<>();
			this.history.lastFailures().values().forEach((failure) -> errors.add(errorDetails(failure)));
			if (!errors.isEmpty()) {
				builder.withDetail("lastErrors", errors);
			}
		}
		return builder.build();
	}

	static Map<String, Object> errorDetails(NacosConfigRefreshHistory.Refresh failure) {
		Map<String, Object> error = new LinkedHashMap<>();
		error.put("dataId", failure.dataId());
		error.put("group", failure.group());
		error.put("outcome", failure.outcome());
		error.put("message", (failure.error() != null) ? failure.error() : "");
		error.put("time", failure.time().toString());
		return error;
	}

	static NacosConfigRefreshHistory.@Nullable Refresh lastOf(List<NacosConfigRefreshHistory.Refresh> refreshes,
			String propertySourceName) {
		for (NacosConfigRefreshHistory.Refresh refresh : refreshes) {
			if (refresh.propertySourceName().equals(propertySourceName)) {
				return refresh;
			}
		}
		return null;
	}

}
