package dev.nacosboot.registry;

/**
 * Thrown when Nacos refuses or cannot take a registration change.
 */
public class NacosRegistrationException extends RuntimeException {

	public NacosRegistrationException(String message, Throwable cause) {
		super(message, cause);
	}

}
