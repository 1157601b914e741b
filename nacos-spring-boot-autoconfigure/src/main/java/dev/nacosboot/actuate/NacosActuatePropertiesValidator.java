package dev.nacosboot.actuate;

import java.time.Duration;

import dev.nacosboot.core.NacosPropertiesValidator;

import org.springframework.validation.Errors;

/**
 * The checks of {@link NacosActuateProperties}, run wherever the settings are bound.
 * Errors name the property as it is written ({@code traffic.check-interval}), so that
 * Spring Boot's failure report names it with the prefix.
 */
final class NacosActuatePropertiesValidator {

	private NacosActuatePropertiesValidator() {
	}

	static void validate(NacosActuateProperties properties, Errors errors) {
		if (properties.getGracePeriod().isNegative()) {
			NacosPropertiesValidator.reject(errors, "grace-period", properties.getGracePeriod(),
					"must not be negative: set how long a lost connection still reports UP, such as 30s, "
							+ "or 0 to report DOWN at once");
		}
		checkPositive(errors, "sample-interval", properties.getSampleInterval());
		checkPositive(errors, "traffic.check-interval", properties.getTraffic().getCheckInterval());
	}

	private static void checkPositive(Errors errors, String property, Duration duration) {
		if (duration.isNegative() || duration.isZero()) {
			NacosPropertiesValidator.reject(errors, property, duration,
					"must be positive: set a positive duration such as 1s");
		}
	}

}
