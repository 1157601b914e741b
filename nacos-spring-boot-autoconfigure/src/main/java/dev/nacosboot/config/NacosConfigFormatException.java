package dev.nacosboot.config;

import org.jspecify.annotations.Nullable;

/**
 * Content of a Nacos config that cannot be read: malformed, empty, or of an unknown
 * format. The message names the data id and, when known, the line.
 */
public class NacosConfigFormatException extends RuntimeException {

	private final String dataId;

	private final @Nullable Integer line;

	NacosConfigFormatException(String dataId, @Nullable NacosConfigFormat format, @Nullable Integer line,
			String problem, @Nullable Throwable cause) {
		super("Nacos config '" + dataId + "'" + ((format != null) ? " (" + format.displayName() + ")" : "")
				+ ((line != null) ? " line " + line : "") + ": " + problem, cause);
		this.dataId = dataId;
		this.line = line;
	}

	/** The data id whose content is invalid. */
	public String getDataId() {
		return this.dataId;
	}

	/** The 1-based line of the problem, when known. */
	public @Nullable Integer getLine() {
		return this.line;
	}

}
