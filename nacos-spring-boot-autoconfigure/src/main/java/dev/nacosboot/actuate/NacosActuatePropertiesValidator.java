package dev.nacosboot.actuate;

import java.time.Duration;

import dev.nacosboot.core.NacosPropertyViolations;

/**
 * Startup checks of {@link NacosActuateProperties}, reported through
 * {@link dev.nacosboot.core.InvalidNacosPropertiesException}.
 */
final class NacosActuatePropertiesValidator {

	private static final String PREFIX = NacosActuateProperties.PREFIX + ".";

	private NacosActuatePropertiesValidator() {
	}

	/**
	 * Throws when a health setting is invalid, listing every invalid one.
	 * @param properties the bound settings
	 * @throws dev.nacosboot.core.InvalidNacosPropertiesException when a setting is
	 * invalid
	 */
	static void validate(NacosActuateProperties properties) {
		NacosPropertyViolations violations = new NacosPropertyViolations();
		if (properties.getGracePeriod().isNegative()) {
			violations.reject(PREFIX + "grace-period", properties.getGracePeriod(), "must not be negative",
					"set how long a lost connection still reports UP, such as 30s, or 0 to report DOWN at once");
		}
		checkPositive(PREFIX + "sample-interval", properties.getSampleInterval(), violations);
		checkPositive(PREFIX + "traffic.check-interval", properties.getTraffic().getCheckInterval(), violations);
		violations.throwIfAny();
	}

	private static void checkPositive(String property, Duration duration, NacosPropertyViolations violations) {
		if (duration.isNegative() || duration.isZero()) {
			violations.reject(property, duration, "must be positive", "set a positive duration such as 1s");
		}
	}

}
