package dev.nacosboot.registry;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The size of instance metadata as a Nacos server's parameter check counts it: the
 * characters (UTF-16 units) of every key and every value that is not blank.
 */
final class InstanceMetadataSize {

	/**
	 * What a Nacos server accepts unless its {@code nacos.naming.service.metadata.length}
	 * says otherwise.
	 */
	public static final int SERVER_DEFAULT_LIMIT = 1024;

	private InstanceMetadataSize() {
	}

	/**
	 * Counts the metadata.
	 * @param metadata the metadata
	 * @return its size
	 */
	public static int of(Map<String, String> metadata) {
		int size = 0;
		for (Map.Entry<String, String> entry : metadata.entrySet()) {
			size += of(entry.getKey()) + of(entry.getValue());
		}
		return size;
	}

	/**
	 * Counts one key or value.
	 * @param text the key or value
	 * @return its size, 0 when blank
	 */
	public static int of(@Nullable String text) {
		return (text == null || text.isBlank()) ? 0 : text.length();
	}

}
