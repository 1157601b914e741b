package dev.nacosboot.testserver;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the server tells a client it supports, in its {@code SetupAckRequest}. The client
 * asks this table before using a feature: persistent instances over gRPC rather than
 * HTTP, fuzzy watch, locks.
 */
final class Abilities {

	static final Map<String, Boolean> SERVER = Map.of("supportPersistentInstanceByGrpc", true, "fuzzyWatch", true,
			"lock", false, "mcp", false, "agent", false);

	private Abilities() {
	}

	/**
	 * The table sent to a client connection: without fuzzy watch for naming clients when
	 * naming fuzzy watch is off, which is how a Nacos 2.x server, or a 3.x one with
	 * {@code nacos.core.ability.fuzzyWatch=false}, looks to a naming client.
	 * @param labels the labels the client sent at setup ({@code module=naming|config})
	 * @param namingFuzzyWatch whether naming fuzzy watch is served
	 * @return the ability table
	 */
	static Map<String, Boolean> of(Map<String, String> labels, boolean namingFuzzyWatch) {
		if (namingFuzzyWatch || labels == null || !"naming".equals(labels.get("module"))) {
			return SERVER;
		}
		Map<String, Boolean> withoutFuzzyWatch = new LinkedHashMap<>(SERVER);
		withoutFuzzyWatch.put("fuzzyWatch", false);
		return withoutFuzzyWatch;
	}

}
