package dev.nacosboot.testserver;

/**
 * A service as the server files it: namespace (normalized, {@code public} for the
 * default), group and bare name.
 *
 * @param namespace the normalized namespace id
 * @param group the group name
 * @param name the bare service name
 */
record ServiceKey(String namespace, String group, String name) {

	static ServiceKey of(String namespace, String group, String name) {
		return new ServiceKey(Namespaces.normalize(namespace), Namespaces.group(group), name);
	}

	String groupedName() {
		return this.group + "@@" + this.name;
	}

}
