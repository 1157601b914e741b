package dev.nacosboot.config;

import org.jspecify.annotations.Nullable;

/**
 * A required Nacos config that could not be loaded at startup: unreachable server without
 * a snapshot, refused read, or invalid content. Explained by
 * {@link NacosConfigLoadFailureAnalyzer}.
 */
public class NacosConfigLoadException extends RuntimeException {

	private final NacosConfigDataResource resource;

	private final String action;

	NacosConfigLoadException(NacosConfigDataResource resource, String reason, String action,
			@Nullable Throwable cause) {
		super("Could not load " + resource + ": " + reason, cause);
		this.resource = resource;
		this.action = action;
	}

	public NacosConfigDataResource getResource() {
		return this.resource;
	}

	/** What the user can do about it. */
	public String getAction() {
		return this.action;
	}

}
