package dev.nacosboot.config;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;
import org.springframework.validation.BindingResult;
import org.springframework.validation.Errors;
import org.springframework.validation.FieldError;

/**
 * The checks of {@link NacosConfigProperties}, run wherever the settings are bound.
 * Errors name the property as it is written ({@code refresh.history-size}), so that
 * Spring Boot's failure report names
 * {@code spring.cloud.nacos.config.refresh.history-size}.
 */
final class NacosConfigPropertiesValidator {

	private NacosConfigPropertiesValidator() {
	}

	static void validate(NacosConfigProperties properties, Errors errors) {
		if (properties.getTimeout() == null || properties.getTimeout().isNegative()
				|| properties.getTimeout().isZero()) {
			reject(errors, "timeout", properties.getTimeout(),
					"must be positive: set how long a config read at startup may take, such as 3s");
		}
		if (properties.getRefresh().getHistorySize() < 0) {
			reject(errors, "refresh.history-size", properties.getRefresh().getHistorySize(),
					"must not be negative: set how many refreshes to keep, or 0 to keep none");
		}
		if (!StringUtils.hasText(properties.getGroup())) {
			reject(errors, "group", properties.getGroup(), "must not be blank: leave it unset for DEFAULT_GROUP");
		}
		if (NacosConfigFormat.byName(properties.getFileExtension()) == null) {
			reject(errors, "file-extension", properties.getFileExtension(),
					"must be properties, yaml, yml, json or xml (the format of the data ids a bare 'nacos:' derives)");
		}
		if (properties.getMaxRetry() != null && properties.getMaxRetry() < 0) {
			reject(errors, "max-retry", properties.getMaxRetry(), "must not be negative");
		}
		validateEntries(properties.getSharedConfigs(), "shared-configs", errors);
		validateEntries(properties.getExtensionConfigs(), "extension-configs", errors);
	}

	private static void validateEntries(List<NacosConfigProperties.ConfigEntry> entries, String property,
			Errors errors) {
		for (int i = 0; i < entries.size(); i++) {
			if (!StringUtils.hasText(entries.get(i).getDataId())) {
				reject(errors, property + "[" + i + "].data-id", entries.get(i).getDataId(),
						"is not set: name the data id with its format as extension, e.g. common.yaml");
			}
		}
	}

	private static void reject(Errors errors, String property, @Nullable Object value, String message) {
		if (errors instanceof BindingResult result) {
			result.addError(new FieldError(errors.getObjectName(), property, value, false, null, null, message));
		}
		else {
			errors.reject("invalid", property + "='" + value + "': " + message);
		}
	}

}
