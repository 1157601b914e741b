package dev.nacosboot.actuate;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Settings of the Nacos health indicators and of the application health pushed into Nacos
 * ({@code spring.cloud.nacos.health.*}).
 */
@ConfigurationProperties(NacosActuateProperties.PREFIX)
public class NacosActuateProperties implements Validator {

	/** Prefix of the settings. */
	public static final String PREFIX = "spring.cloud.nacos.health";

	/**
	 * Time the connection to the server may be lost (or not yet established) before the
	 * Nacos health indicators report DOWN; within it they report UP with connection
	 * RECONNECTING (or CONNECTING).
	 */
	private Duration gracePeriod = Duration.ofSeconds(30);

	/**
	 * Interval at which the clients' connection state and the subscribed services are
	 * sampled, without calling the server.
	 */
	private Duration sampleInterval = Duration.ofSeconds(1);

	private final Traffic traffic = new Traffic();

	public Duration getGracePeriod() {
		return this.gracePeriod;
	}

	public void setGracePeriod(Duration gracePeriod) {
		this.gracePeriod = gracePeriod;
	}

	public Duration getSampleInterval() {
		return this.sampleInterval;
	}

	public void setSampleInterval(Duration sampleInterval) {
		this.sampleInterval = sampleInterval;
	}

	public Traffic getTraffic() {
		return this.traffic;
	}

	@Override
	public boolean supports(Class<?> type) {
		return NacosActuateProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		NacosActuatePropertiesValidator.validate((NacosActuateProperties) target, errors);
	}

	/**
	 * The application's health pushed into Nacos.
	 */
	public static class Traffic {

		/**
		 * Health group (of 'management.endpoint.health.group') whose status, when not UP,
		 * takes the registered instance out of traffic (status OUT_OF_SERVICE, registered
		 * with enabled=false) until it is UP again; unset follows only the readiness
		 * state (see 'spring.cloud.nacos.discovery.readiness-gating').
		 */
		private @Nullable String group;

		/**
		 * Interval at which the health group named by 'group' is checked.
		 */
		private Duration checkInterval = Duration.ofMillis(250);

		public @Nullable String getGroup() {
			return this.group;
		}

		public void setGroup(@Nullable String group) {
			this.group = group;
		}

		public Duration getCheckInterval() {
			return this.checkInterval;
		}

		public void setCheckInterval(Duration checkInterval) {
			this.checkInterval = checkInterval;
		}

	}

}
