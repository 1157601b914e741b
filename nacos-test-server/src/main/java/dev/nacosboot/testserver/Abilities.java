package dev.nacosboot.testserver;

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

}
