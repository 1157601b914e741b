package dev.nacosboot.core;

/**
 * Thrown when the Nacos client itself refuses to start, usually because of its settings.
 */
public class NacosClientCreationException extends RuntimeException {

	private final String kind;

	/**
	 * Creates an exception.
	 * @param kind "naming" or "config"
	 * @param cause the client's failure
	 */
	public NacosClientCreationException(String kind, Throwable cause) {
		super("Could not create the Nacos " + kind + " client: " + cause.getMessage(), cause);
		this.kind = kind;
	}

	public String getKind() {
		return this.kind;
	}

}
