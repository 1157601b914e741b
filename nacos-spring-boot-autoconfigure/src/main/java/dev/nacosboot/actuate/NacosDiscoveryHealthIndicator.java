package dev.nacosboot.actuate;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.nacosboot.registry.NacosAutoServiceRegistration;
import dev.nacosboot.registry.NacosRegistration;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the naming client: UP while connected or reconnecting within the grace
 * period, DOWN after it. Details: server, namespace, connection state and since when, the
 * registered instance and the number of subscribed services. Never credentials. Answers
 * from local state; a probe never calls the server.
 */
public class NacosDiscoveryHealthIndicator implements HealthIndicator {

	private final NacosConnectionMonitor monitor;

	private final String server;

	private final String namespace;

	private final @Nullable NacosAutoServiceRegistration autoRegistration;

	private final @Nullable NacosRegistration registration;

	private final @Nullable NacosSubscriptions subscriptions;

	/**
	 * Creates an indicator.
	 * @param monitor the naming client's connection
	 * @param server where the client connects, for display
	 * @param namespace the namespace, for display
	 * @param autoRegistration the registration lifecycle, if any
	 * @param registration this application's instance, if it registers
	 * @param subscriptions the subscribed services, if followed
	 */
	public NacosDiscoveryHealthIndicator(NacosConnectionMonitor monitor, String server, String namespace,
			@Nullable NacosAutoServiceRegistration autoRegistration, @Nullable NacosRegistration registration,
			@Nullable NacosSubscriptions subscriptions) {
		this.monitor = monitor;
		this.server = server;
		this.namespace = namespace;
		this.autoRegistration = autoRegistration;
		this.registration = registration;
		this.subscriptions = subscriptions;
	}

	@Override
	public Health health() {
		NacosConnectionMonitor.Snapshot connection = this.monitor.state();
		Health.Builder builder = connection.state().isHealthy() ? Health.up() : Health.down();
		builder.withDetail("server", this.server)
			.withDetail("namespace", this.namespace)
			.withDetail("connection", connection.state())
			.withDetail("since", connection.since().toString());
		if (this.registration != null) {
			builder.withDetail("registration", registrationDetails(this.registration, this.autoRegistration));
		}
		if (this.subscriptions != null) {
			builder.withDetail("subscribedServices", this.subscriptions.all().size());
		}
		return builder.build();
	}

	static Map<String, Object> registrationDetails(NacosRegistration registration,
			@Nullable NacosAutoServiceRegistration autoRegistration) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("service", registration.getServiceId());
		details.put("group", registration.getGroup());
		details.put("cluster", registration.getClusterName());
		details.put("ip", registration.getHost());
		details.put("port", registration.getPort());
		details.put("registered", autoRegistration != null && autoRegistration.isRegistered());
		details.put("enabled", registration.isRoutable());
		details.put("status", registration.getStatus());
		details.put("ready", registration.isReady());
		details.put("weight", registration.getCurrentWeight());
		return details;
	}

}
