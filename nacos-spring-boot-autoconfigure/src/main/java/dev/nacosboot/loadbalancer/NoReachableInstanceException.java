package dev.nacosboot.loadbalancer;

import java.net.ConnectException;
import java.util.List;

/**
 * No instance of a service accepted a connection for a call: every instance tried refused
 * it (or could not be reached), and no other instance was left to try, or the service's
 * requeue budget was spent. The message names the service and every address tried with
 * its failure. It is a {@link ConnectException}: no byte of the request reached a server.
 */
public class NoReachableInstanceException extends ConnectException {

	private final String serviceId;

	private final List<String> triedAddresses;

	/**
	 * Creates the exception.
	 * @param serviceId the service called
	 * @param triedAddresses {@code host:port} of every instance tried, in order
	 * @param message the full message
	 * @param lastFailure the last instance's failure
	 */
	public NoReachableInstanceException(String serviceId, List<String> triedAddresses, String message,
			Throwable lastFailure) {
		super(message);
		this.serviceId = serviceId;
		this.triedAddresses = List.copyOf(triedAddresses);
		initCause(lastFailure);
	}

	/**
	 * The service called.
	 * @return the service id
	 */
	public String getServiceId() {
		return this.serviceId;
	}

	/**
	 * The instances tried, in order.
	 * @return their {@code host:port}
	 */
	public List<String> getTriedAddresses() {
		return this.triedAddresses;
	}

}
