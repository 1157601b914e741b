package dev.nacosboot.sample.consumer;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The consumer's background calls to greeting-service, which feed the page's
 * traffic-split chart.
 */
@ConfigurationProperties("sample.traffic")
public class TrafficProperties {

	/**
	 * Calls per second the background loop makes to greeting-service (0 to 100; 0 stops
	 * it).
	 */
	private double callsPerSecond = 10;

	/**
	 * Number of distinct user ids the loop sends in the sticky header, at random.
	 */
	private int users = 10_000;

	public double getCallsPerSecond() {
		return this.callsPerSecond;
	}

	public void setCallsPerSecond(double callsPerSecond) {
		this.callsPerSecond = callsPerSecond;
	}

	public int getUsers() {
		return this.users;
	}

	public void setUsers(int users) {
		this.users = users;
	}

}
