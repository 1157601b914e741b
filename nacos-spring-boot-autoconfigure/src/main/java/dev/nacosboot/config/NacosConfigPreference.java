package dev.nacosboot.config;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Where a Nacos config ranks against the application's local config files
 * ({@code application.yml}, {@code application-{profile}.yml}, ...). Set for all imports
 * with {@code spring.cloud.nacos.config.preference}, or per import with
 * {@code ?preference=}. The names {@code local} and {@code remote} are Spring Cloud
 * Alibaba's, with its meaning.
 */
public enum NacosConfigPreference {

	/**
	 * Spring Boot's own import order: above the file that declares the import, below the
	 * profile-specific local files ({@code application-dev.yml} wins over Nacos).
	 */
	LOCAL,

	/**
	 * Above every local config file, profile-specific ones included.
	 */
	REMOTE,

	/**
	 * Below every local config file: Nacos only supplies what no local file sets.
	 */
	LOCAL_FIRST;

	/**
	 * Parses a value as written in an import or a property: case and {@code -}/{@code _}
	 * do not matter.
	 * @param value e.g. {@code remote}, {@code LOCAL}, {@code local-first}
	 * @return the preference, or {@code null} when the value names none
	 */
	static @Nullable NacosConfigPreference parse(String value) {
		String normalized = value.trim().replace('-', '_').toUpperCase(Locale.ROOT);
		for (NacosConfigPreference preference : values()) {
			if (preference.name().equals(normalized)) {
				return preference;
			}
		}
		return null;
	}

	/** The value as written in YAML and imports, e.g. {@code local-first}. */
	String displayName() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
