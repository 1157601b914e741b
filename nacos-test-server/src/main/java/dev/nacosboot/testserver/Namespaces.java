package dev.nacosboot.testserver;

/**
 * Namespace and group naming rules shared by naming and config: Nacos treats
 * {@code "public"} and the empty string as the same default namespace.
 */
final class Namespaces {

	static final String PUBLIC = "public";

	static final String DEFAULT_GROUP = "DEFAULT_GROUP";

	private Namespaces() {
	}

	static String normalize(String namespace) {
		return (namespace == null || namespace.isBlank()) ? PUBLIC : namespace.trim();
	}

	static String group(String group) {
		return (group == null || group.isBlank()) ? DEFAULT_GROUP : group.trim();
	}

}
