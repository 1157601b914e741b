package dev.nacosboot.loadbalancer;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Counts of repeated choices and binomial tolerance checks on them.
 */
final class Draws {

	/** Accepted deviation from the expected count, in binomial standard deviations. */
	static final double SIGMAS = 5;

	private final Map<String, Integer> counts = new TreeMap<>();

	private int total;

	void add(String key) {
		this.counts.merge(key, 1, Integer::sum);
		this.total++;
	}

	int count(String key) {
		return this.counts.getOrDefault(key, 0);
	}

	/**
	 * Asserts that {@code key} came up with probability {@code p}: |count - n p| <= 5
	 * sqrt(n p (1 - p)).
	 */
	void assertShare(String key, double p, String what) {
		double expected = this.total * p;
		double sigma = Math.sqrt(this.total * p * (1 - p));
		int actual = count(key);
		System.out.printf("%s: %s %d of %d (%.3f%%), expected %.1f +- %.1f (5 sigma)%n", what, key, actual, this.total,
				100.0 * actual / this.total, expected, SIGMAS * sigma);
		assertThat((double) actual).as(what + " " + key)
			.isCloseTo(expected, org.assertj.core.data.Offset.offset(Math.max(SIGMAS * sigma, 0.5)));
	}

	@Override
	public String toString() {
		return this.counts.toString();
	}

}
