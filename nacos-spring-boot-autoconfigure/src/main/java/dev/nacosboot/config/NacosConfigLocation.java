package dev.nacosboot.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * One {@code nacos:} import, parsed:
 * {@code nacos:[dataId[,dataId...]][?group=G&namespace=N&refresh=true&preference=remote]}.
 * A bare {@code nacos:} names no data id and means the application's own ones. Every
 * parameter of Spring Cloud Alibaba's syntax is accepted with its meaning:
 * {@code refreshEnabled} is a synonym of {@code refresh}, {@code group} and
 * {@code preference} are shared.
 *
 * @param dataIds the explicit data ids, empty for a bare import
 * @param group the group, or {@code null} for the configured default
 * @param namespace the namespace, or {@code null} for the configured one
 * @param refresh whether to refresh these data ids, or {@code null} for the configured
 * default
 * @param preference where these data ids rank against local config files, or {@code null}
 * for the configured default
 */
record NacosConfigLocation(List<String> dataIds, @Nullable String group, @Nullable String namespace,
		@Nullable Boolean refresh, @Nullable NacosConfigPreference preference) {

	/** Prefix of the locations this starter resolves. */
	static final String PREFIX = "nacos:";

	/** What an unknown parameter's message lists. */
	static final String KNOWN_PARAMETERS = "group, namespace, refresh, preference"
			+ " (and Spring Cloud Alibaba's group, refreshEnabled, preference)";

	boolean isBare() {
		return this.dataIds.isEmpty();
	}

	/**
	 * Parses the part of a location after {@code nacos:}.
	 * @param value e.g. {@code app.yaml,db.properties?group=G&refresh=false}
	 * @return the parsed import
	 * @throws IllegalArgumentException naming what is wrong
	 */
	static NacosConfigLocation parse(String value) {
		String path = value.trim();
		String query = null;
		int question = path.indexOf('?');
		if (question >= 0) {
			query = path.substring(question + 1);
			path = path.substring(0, question);
		}
		while (path.startsWith("/")) {
			// Tolerate "nacos://app.yaml" and "nacos:/app.yaml".
			path = path.substring(1);
		}
		List<String> dataIds = new ArrayList<>();
		for (String dataId : path.split("[,;]")) {
			if (StringUtils.hasText(dataId)) {
				dataIds.add(dataId.trim());
			}
		}
		String group = null;
		String namespace = null;
		Boolean refresh = null;
		NacosConfigPreference preference = null;
		if (query != null) {
			for (String parameter : query.split("&")) {
				if (parameter.isBlank()) {
					continue;
				}
				int equals = parameter.indexOf('=');
				String name = ((equals >= 0) ? parameter.substring(0, equals) : parameter).trim();
				String parameterValue = (equals >= 0) ? parameter.substring(equals + 1).trim() : "";
				switch (name) {
					case "group" -> group = nonEmpty(name, parameterValue, value);
					case "namespace" -> namespace = parameterValue;
					case "refresh", "refreshEnabled" -> refresh = bool(name, parameterValue, value);
					case "preference" -> preference = preference(name, parameterValue, value);
					default -> throw new IllegalArgumentException("Unknown parameter '" + name + "' in '" + PREFIX
							+ value + "': known parameters are " + KNOWN_PARAMETERS);
				}
			}
		}
		return new NacosConfigLocation(List.copyOf(dataIds), group, namespace, refresh, preference);
	}

	private static NacosConfigPreference preference(String name, String value, String location) {
		NacosConfigPreference preference = NacosConfigPreference.parse(value);
		if (preference == null) {
			throw new IllegalArgumentException("Parameter '" + name + "' of '" + PREFIX + location
					+ "' must be local, remote or local-first, was '" + value + "'");
		}
		return preference;
	}

	private static String nonEmpty(String name, String value, String location) {
		if (value.isEmpty()) {
			throw new IllegalArgumentException("Parameter '" + name + "' of '" + PREFIX + location + "' is empty");
		}
		return value;
	}

	private static boolean bool(String name, String value, String location) {
		return switch (value.toLowerCase(Locale.ROOT)) {
			case "true", "" -> true;
			case "false" -> false;
			default -> throw new IllegalArgumentException("Parameter '" + name + "' of '" + PREFIX + location
					+ "' must be true or false, was '" + value + "'");
		};
	}

}
