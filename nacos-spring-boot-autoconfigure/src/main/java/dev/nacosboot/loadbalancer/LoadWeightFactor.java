package dev.nacosboot.loadbalancer;

import org.jspecify.annotations.Nullable;

/**
 * The share of its Nacos weight an instance keeps at a published load (a CPU fraction
 * between 0 and 1): full weight up to 30 %, then falling linearly to 60 % at 75 % load,
 * then linearly to the floor at 100 %. Monotone, never below the floor, so a loaded
 * instance still gets some traffic and can show that its load went down.
 */
final class LoadWeightFactor {

	/** Load up to which an instance keeps its full weight. */
	static final double FULL_WEIGHT_UP_TO = 0.30;

	/** Load at which an instance keeps {@link #AT_HIGH_LOAD} of its weight. */
	static final double HIGH_LOAD = 0.75;

	/** Share of the weight at {@link #HIGH_LOAD}. */
	static final double AT_HIGH_LOAD = 0.60;

	private LoadWeightFactor() {
	}

	/**
	 * The factor at a load.
	 * @param load the load, a fraction (clamped to [0, 1])
	 * @param floor the factor at full load
	 * @return the factor, between floor and 1
	 */
	static double of(double load, double floor) {
		double l = Math.min(Math.max(load, 0), 1);
		if (l <= FULL_WEIGHT_UP_TO) {
			return 1;
		}
		if (l <= HIGH_LOAD) {
			return 1 - (1 - AT_HIGH_LOAD) * (l - FULL_WEIGHT_UP_TO) / (HIGH_LOAD - FULL_WEIGHT_UP_TO);
		}
		return AT_HIGH_LOAD - (AT_HIGH_LOAD - floor) * (l - HIGH_LOAD) / (1 - HIGH_LOAD);
	}

	/**
	 * The factor of a published metadata value; 1 when absent or not a number.
	 * @param value the metadata value
	 * @param floor the factor at full load
	 * @return the factor
	 */
	static double ofMetadata(@Nullable String value, double floor) {
		if (value == null) {
			return 1;
		}
		try {
			double load = Double.parseDouble(value);
			return Double.isFinite(load) ? of(load, floor) : 1;
		}
		catch (NumberFormatException ex) {
			return 1;
		}
	}

}
