package dev.nacosboot.config;

/**
 * A {@code nacos:} import or a shared/extension config entry that cannot be understood.
 */
public class NacosConfigImportException extends RuntimeException {

	private final String location;

	NacosConfigImportException(String location, String problem) {
		super("Invalid Nacos config import '" + location + "': " + problem);
		this.location = location;
	}

	/** The import or property that is wrong. */
	public String getLocation() {
		return this.location;
	}

}
