package dev.nacosboot.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Points nacos-client's snapshot, failover and log directories into a fresh temporary
 * directory before any client class loads, so that runs never read each other's (or a
 * developer's {@code ~/nacos}) cached state.
 */
final class ClientCaches {

	static final List<String> PROPERTIES = List.of("JM.SNAPSHOT.PATH", "JM.LOG.PATH",
			"com.alibaba.nacos.naming.cache.dir");

	private static final String QUERY_LIMIT = "limitTime";

	private ClientCaches() {
	}

	static Path isolate() throws IOException {
		Path root = Files.createTempDirectory("nacos-benchmarks-");
		System.setProperty("JM.SNAPSHOT.PATH", root.resolve("snapshot").toString());
		System.setProperty("JM.LOG.PATH", root.resolve("logs").toString());
		System.setProperty("com.alibaba.nacos.naming.cache.dir", root.resolve("naming").toString());
		// The client's limit of identical config queries (5/s) is one static limiter per
		// JVM: the reference client
		// and the application in this one JVM would share it and delay each other by 200
		// ms. Alone in its JVM, as
		// in production, an application's client never reaches it with publishes 300 ms
		// apart.
		if (System.getProperty(QUERY_LIMIT) == null) {
			System.setProperty(QUERY_LIMIT, "1000");
		}
		return root;
	}

}
