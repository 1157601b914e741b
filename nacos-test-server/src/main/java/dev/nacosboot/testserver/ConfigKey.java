package dev.nacosboot.testserver;

/**
 * A config as the server files it.
 *
 * @param tenant the normalized namespace ({@code public} for the default)
 * @param group the group
 * @param dataId the data id
 */
record ConfigKey(String tenant, String group, String dataId) {

	static ConfigKey of(String tenant, String group, String dataId) {
		return new ConfigKey(Namespaces.normalize(tenant), Namespaces.group(group), dataId);
	}

}
