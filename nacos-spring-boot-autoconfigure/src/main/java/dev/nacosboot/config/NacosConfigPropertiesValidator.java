package dev.nacosboot.config;

import dev.nacosboot.core.NacosPropertyViolations;

/**
 * Startup checks of {@link NacosConfigProperties}, reported through
 * {@link dev.nacosboot.core.InvalidNacosPropertiesException}.
 */
final class NacosConfigPropertiesValidator {

	private static final String PREFIX = NacosConfigProperties.PREFIX + ".";

	private NacosConfigPropertiesValidator() {
	}

	/**
	 * Throws when a config setting is invalid, listing every invalid one.
	 * @param properties the bound settings
	 * @throws dev.nacosboot.core.InvalidNacosPropertiesException when a setting is
	 * invalid
	 */
	static void validate(NacosConfigProperties properties) {
		NacosPropertyViolations violations = new NacosPropertyViolations();
		if (properties.getTimeout().isNegative() || properties.getTimeout().isZero()) {
			violations.reject(PREFIX + "timeout", properties.getTimeout(), "must be positive",
					"set how long a read may take, such as 3s");
		}
		if (properties.getRefresh().getHistorySize() < 0) {
			violations.reject(PREFIX + "refresh.history-size", properties.getRefresh().getHistorySize(),
					"must not be negative", "set how many refreshes to keep, or 0 to keep none");
		}
		violations.throwIfAny();
	}

}
