package dev.nacosboot.core;

/**
 * Defaults for the Netty that nacos-client shades into its own package: an unpooled
 * buffer allocator. The pooled one keeps about 8 MiB of direct memory in its arenas for a
 * control channel that carries a few small messages a second. The setting only reaches
 * the shaded copy (no other library reads its name), is read once when the client's
 * classes initialise, and a value the user set wins.
 */
final class ShadedNettyDefaults {

	static final String ALLOCATOR_TYPE = "com.alibaba.nacos.shaded.io.grpc.netty.shaded.io.netty.allocator.type";

	private ShadedNettyDefaults() {
	}

	static void apply() {
		if (System.getProperty(ALLOCATOR_TYPE) == null) {
			System.setProperty(ALLOCATOR_TYPE, "unpooled");
		}
	}

}
