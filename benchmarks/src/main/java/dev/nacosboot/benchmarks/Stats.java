package dev.nacosboot.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Order statistics of a sample (nearest-rank percentiles, so a p99 of 50 values is their
 * maximum but one).
 */
record Stats(int count, double p50, double p99, double max, double min) {

	static Stats of(List<Double> values) {
		double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		return of(sorted);
	}

	static Stats of(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		if (sorted.length == 0) {
			return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
		}
		return new Stats(sorted.length, percentile(sorted, 50), percentile(sorted, 99), sorted[sorted.length - 1],
				sorted[0]);
	}

	static double percentile(double[] sorted, double percent) {
		int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
		return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
	}

	static String format(double value) {
		if (Double.isNaN(value)) {
			return "-";
		}
		double magnitude = Math.abs(value);
		if (magnitude >= 100) {
			return String.format(Locale.ROOT, "%.0f", value);
		}
		if (magnitude >= 10) {
			return String.format(Locale.ROOT, "%.1f", value);
		}
		return String.format(Locale.ROOT, "%.2f", value);
	}

}
