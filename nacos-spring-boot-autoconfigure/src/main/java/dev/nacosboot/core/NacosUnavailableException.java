package dev.nacosboot.core;

/**
 * Thrown when a concern configured to fail fast cannot reach the Nacos server at startup.
 */
public class NacosUnavailableException extends RuntimeException {

	private final String serverAddr;

	private final String failFastProperty;

	/**
	 * Creates an exception.
	 * @param message what could not be done
	 * @param serverAddr the server list or endpoint that was tried
	 * @param failFastProperty the property that made startup fail, e.g.
	 * {@code spring.cloud.nacos.discovery.fail-fast}
	 * @param cause the client's failure
	 */
	public NacosUnavailableException(String message, String serverAddr, String failFastProperty, Throwable cause) {
		super(message, cause);
		this.serverAddr = serverAddr;
		this.failFastProperty = failFastProperty;
	}

	public String getServerAddr() {
		return this.serverAddr;
	}

	public String getFailFastProperty() {
		return this.failFastProperty;
	}

}
