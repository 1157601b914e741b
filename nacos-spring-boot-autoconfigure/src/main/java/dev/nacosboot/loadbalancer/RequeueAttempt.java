package dev.nacosboot.loadbalancer;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;

/**
 * One call through a requeueing client: the instances it failed to connect to (a requeue
 * avoids them), the instances the balancer chose in the current round, whether any
 * attempt may have reached a server (then nothing is requeued), and whether the balancer
 * found no instance left to requeue to. One call runs its rounds one after the other, on
 * one thread or, for reactive clients, handed from one to the next.
 */
final class RequeueAttempt {

	private final String serviceId;

	private final List<ServiceInstance> failedToConnect = new ArrayList<>(2);

	private final List<String> failures = new ArrayList<>(2);

	private final List<ServiceInstance> chosenThisRound = new ArrayList<>(1);

	private boolean reachedServer;

	private @Nullable Throwable lastFailure;

	private @Nullable String exhausted;

	RequeueAttempt(String serviceId) {
		this.serviceId = serviceId;
	}

	String serviceId() {
		return this.serviceId;
	}

	/** Starts a round: the next pass through the load balancer and the HTTP client. */
	synchronized void startRound() {
		this.chosenThisRound.clear();
		this.exhausted = null;
	}

	/**
	 * Whether this round is a requeue, so that the balancer must avoid the instances that
	 * failed.
	 * @return whether an instance failed to connect before
	 */
	synchronized boolean isRequeue() {
		return !this.failedToConnect.isEmpty();
	}

	/**
	 * Whether the call failed to connect to this instance before.
	 * @param instance an instance
	 * @return whether to avoid it
	 */
	synchronized boolean hasFailedOn(ServiceInstance instance) {
		for (ServiceInstance failed : this.failedToConnect) {
			if (sameAddress(failed, instance)) {
				return true;
			}
		}
		return false;
	}

	synchronized void chosen(ServiceInstance instance) {
		this.chosenThisRound.add(instance);
	}

	/**
	 * Whether the balancer chose this instance for this call in the current round.
	 * @param instance an instance
	 * @return whether it is this call's
	 */
	synchronized boolean choseInThisRound(ServiceInstance instance) {
		for (ServiceInstance chosen : this.chosenThisRound) {
			if (sameAddress(chosen, instance)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The instance chosen last in this round.
	 * @return the instance, {@code null} when the balancer chose none
	 */
	synchronized @Nullable ServiceInstance lastChosen() {
		return this.chosenThisRound.isEmpty() ? null : this.chosenThisRound.get(this.chosenThisRound.size() - 1);
	}

	/**
	 * Records that an attempt could not connect to an instance.
	 * @param instance the instance
	 * @param failure the client's failure
	 */
	synchronized void failedToConnect(ServiceInstance instance, Throwable failure) {
		this.lastFailure = failure;
		if (!hasFailedOn(instance)) {
			this.failedToConnect.add(instance);
			this.failures.add(ConnectFailures.reason(failure));
		}
	}

	/**
	 * The last failure to connect.
	 * @return the failure, {@code null} before the first
	 */
	synchronized @Nullable Throwable lastFailure() {
		return this.lastFailure;
	}

	/** Records that an attempt got an answer, or failed after it may have been sent. */
	synchronized void reachedServer() {
		this.reachedServer = true;
	}

	synchronized boolean hasReachedServer() {
		return this.reachedServer;
	}

	/**
	 * Records that the balancer had no instance left for a requeue.
	 * @param why what was left, for the error message
	 */
	synchronized void exhausted(String why) {
		this.exhausted = why;
	}

	/**
	 * Why the balancer had no instance left in this round.
	 * @return the reason, {@code null} when it chose one
	 */
	synchronized @Nullable String exhaustedReason() {
		return this.exhausted;
	}

	/**
	 * The failed instances, {@code host:port} each.
	 * @return the addresses in order
	 */
	synchronized List<String> triedAddresses() {
		List<String> addresses = new ArrayList<>(this.failedToConnect.size());
		for (ServiceInstance instance : this.failedToConnect) {
			addresses.add(address(instance));
		}
		return addresses;
	}

	/**
	 * The failed instances with their failures, for a message.
	 * @return {@code host:port (reason), ...}
	 */
	synchronized String describeTried() {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < this.failedToConnect.size(); i++) {
			if (i > 0) {
				text.append(", ");
			}
			text.append(address(this.failedToConnect.get(i))).append(" (").append(this.failures.get(i)).append(')');
		}
		return text.toString();
	}

	static String address(ServiceInstance instance) {
		String host = instance.getHost();
		return (host.contains(":") ? "[" + host + "]" : host) + ":" + instance.getPort();
	}

	static boolean sameAddress(ServiceInstance a, ServiceInstance b) {
		return a == b || (a.getPort() == b.getPort() && a.getHost().equals(b.getHost()));
	}

}
