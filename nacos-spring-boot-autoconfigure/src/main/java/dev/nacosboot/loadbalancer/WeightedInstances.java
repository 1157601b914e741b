package dev.nacosboot.loadbalancer;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;

/**
 * The choice over a fixed set of instances with their effective weights. Weighted random:
 * the probability of an instance is its weight over the sum of weights, O(1) by Vose's
 * alias method (one uniform index and one biased coin per pick, tables built once per
 * routing table); a retry that avoids one instance draws from the cumulative weights
 * without it instead (a binary search, O(log n)); round-robin: a shared counter;
 * least-latency: the better of two weighted-random candidates by their
 * {@link InstanceStats#cost(long) cost}. No allocation per pick; thread-safe.
 * <p>
 * Weighted random rather than smooth weighted round-robin: it needs no shared mutable
 * state across the threads of a client and every consumer instance follows the weights
 * independently.
 */
final class WeightedInstances {

	static final WeightedInstances EMPTY = new WeightedInstances(new ServiceInstance[0], new double[0], null);

	private final ServiceInstance[] instances;

	private final double[] weights;

	private final double @Nullable [] cumulative;

	// Vose's alias tables: index i is kept with probability keep[i], otherwise alias[i]
	// is taken.
	private final double @Nullable [] keep;

	private final int @Nullable [] alias;

	private final double total;

	private final InstanceStats @Nullable [] stats;

	private final AtomicInteger turn = new AtomicInteger();

	private WeightedInstances(ServiceInstance[] instances, double[] weights, InstanceStats @Nullable [] stats) {
		this.instances = instances;
		this.weights = weights;
		this.stats = stats;
		boolean uniform = true;
		double[] cumulative = new double[weights.length];
		double sum = 0;
		for (int i = 0; i < weights.length; i++) {
			sum += weights[i];
			cumulative[i] = sum;
			uniform &= weights[i] == weights[0];
		}
		this.cumulative = uniform ? null : cumulative;
		this.total = sum;
		if (uniform) {
			this.keep = null;
			this.alias = null;
		}
		else {
			this.keep = new double[weights.length];
			this.alias = new int[weights.length];
			buildAliasTables(weights, sum, this.keep, this.alias);
		}
	}

	// Vose's method: scale weights to an average of 1, then pair each column below 1 with
	// one above it.
	private static void buildAliasTables(double[] weights, double total, double[] keep, int[] alias) {
		int size = weights.length;
		double[] scaled = new double[size];
		int[] small = new int[size];
		int[] large = new int[size];
		int smallCount = 0;
		int largeCount = 0;
		for (int i = 0; i < size; i++) {
			scaled[i] = weights[i] * size / total;
			if (scaled[i] < 1) {
				small[smallCount++] = i;
			}
			else {
				large[largeCount++] = i;
			}
		}
		while (smallCount > 0 && largeCount > 0) {
			int less = small[--smallCount];
			int more = large[--largeCount];
			keep[less] = scaled[less];
			alias[less] = more;
			scaled[more] = (scaled[more] + scaled[less]) - 1;
			if (scaled[more] < 1) {
				small[smallCount++] = more;
			}
			else {
				large[largeCount++] = more;
			}
		}
		// What is left is 1 up to rounding.
		while (largeCount > 0) {
			int index = large[--largeCount];
			keep[index] = 1;
			alias[index] = index;
		}
		while (smallCount > 0) {
			int index = small[--smallCount];
			keep[index] = 1;
			alias[index] = index;
		}
	}

	/**
	 * Builds the choice over instances, every weight above 0.
	 * @param instances the instances
	 * @param weight weight of each instance
	 * @return the choice
	 */
	static WeightedInstances of(List<ServiceInstance> instances, ToDoubleFunction<ServiceInstance> weight) {
		return of(instances, weight, null);
	}

	/**
	 * Builds the choice over instances, every weight above 0, with the statistics of the
	 * least-latency choice.
	 * @param instances the instances
	 * @param weight weight of each instance
	 * @param stats statistics of an instance, {@code null} when no least-latency choice
	 * is made
	 * @return the choice
	 */
	static WeightedInstances of(List<ServiceInstance> instances, ToDoubleFunction<ServiceInstance> weight,
			java.util.function.@Nullable Function<ServiceInstance, InstanceStats> stats) {
		if (instances.isEmpty()) {
			return EMPTY;
		}
		ServiceInstance[] array = instances.toArray(ServiceInstance[]::new);
		double[] weights = new double[array.length];
		InstanceStats[] statsArray = (stats != null) ? new InstanceStats[array.length] : null;
		for (int i = 0; i < array.length; i++) {
			weights[i] = weight.applyAsDouble(array[i]);
			if (statsArray != null) {
				statsArray[i] = stats.apply(array[i]);
			}
		}
		return new WeightedInstances(array, weights, statsArray);
	}

	boolean isEmpty() {
		return this.instances.length == 0;
	}

	int size() {
		return this.instances.length;
	}

	List<ServiceInstance> instances() {
		return List.of(this.instances);
	}

	double weightOf(int index) {
		return this.weights[index];
	}

	/**
	 * Picks one instance by the strategy.
	 * @param strategy the strategy
	 * @param random source of randomness
	 * @param avoid an instance to avoid when there is another (the one a retried call
	 * failed on), or {@code null}
	 * @param now current time in nanoseconds (for least-latency)
	 * @return the instance, {@code null} when there is none
	 */
	@Nullable ServiceInstance pick(LoadBalancingStrategy strategy, RandomGenerator random, @Nullable ServiceInstance avoid,
			long now) {
		int size = this.instances.length;
		if (size == 0) {
			return null;
		}
		int avoided = (avoid != null && size > 1) ? indexOf(avoid) : -1;
		if (strategy == LoadBalancingStrategy.ROUND_ROBIN) {
			int index = Math.floorMod(this.turn.getAndIncrement(), size);
			return this.instances[(index == avoided) ? (index + 1) % size : index];
		}
		int first = pickIndex(random, avoided);
		InstanceStats[] stats = this.stats;
		if (strategy != LoadBalancingStrategy.LEAST_LATENCY || stats == null || size - ((avoided >= 0) ? 1 : 0) < 2) {
			return this.instances[first];
		}
		// Power of two choices: the second candidate is drawn without the first, so two
		// distinct ones compete.
		int second = pickIndexWithout(random, first, avoided);
		return this.instances[(stats[second].cost(now) < stats[first].cost(now)) ? second : first];
	}

	/**
	 * Picks one instance by the strategy among those not excluded: a requeue's choice,
	 * which avoids the instances its call failed to connect to and those out for failed
	 * connects. O(n), for requeues only.
	 * @param strategy the strategy
	 * @param random source of randomness
	 * @param excluded instances not to pick
	 * @param now current time in nanoseconds (for least-latency)
	 * @return the instance, {@code null} when every instance is excluded
	 */
	@Nullable ServiceInstance pickExcluding(LoadBalancingStrategy strategy, RandomGenerator random,
			java.util.function.Predicate<ServiceInstance> excluded, long now) {
		int size = this.instances.length;
		int[] allowed = new int[size];
		int count = 0;
		double total = 0;
		for (int i = 0; i < size; i++) {
			if (!excluded.test(this.instances[i])) {
				allowed[count++] = i;
				total += this.weights[i];
			}
		}
		if (count == 0) {
			return null;
		}
		if (strategy == LoadBalancingStrategy.ROUND_ROBIN) {
			return this.instances[allowed[Math.floorMod(this.turn.getAndIncrement(), count)]];
		}
		int first = pickAmong(allowed, count, total, random, -1);
		InstanceStats[] stats = this.stats;
		if (strategy != LoadBalancingStrategy.LEAST_LATENCY || stats == null || count < 2) {
			return this.instances[first];
		}
		int second = pickAmong(allowed, count, total - this.weights[first], random, first);
		return this.instances[(stats[second].cost(now) < stats[first].cost(now)) ? second : first];
	}

	// Weighted random among the allowed indices, skipping 'skip' (-1 for none), whose
	// weights sum to 'total'.
	private int pickAmong(int[] allowed, int count, double total, RandomGenerator random, int skip) {
		double point = random.nextDouble() * total;
		int last = -1;
		for (int i = 0; i < count; i++) {
			int index = allowed[i];
			if (index == skip) {
				continue;
			}
			last = index;
			point -= this.weights[index];
			if (point < 0) {
				return index;
			}
		}
		return last;
	}

	/**
	 * Picks one instance at weighted random.
	 * @param random source of randomness
	 * @return the instance, {@code null} when there is none
	 */
	@Nullable ServiceInstance pick(RandomGenerator random) {
		return pick(LoadBalancingStrategy.WEIGHTED, random, null, 0);
	}

	private int indexOf(ServiceInstance instance) {
		for (int i = 0; i < this.instances.length; i++) {
			ServiceInstance candidate = this.instances[i];
			if (candidate.getPort() == instance.getPort() && candidate.getHost().equals(instance.getHost())) {
				return i;
			}
		}
		return -1;
	}

	// Weighted random index, never 'excluded' (-1 for none) unless it is the only
	// instance.
	private int pickIndex(RandomGenerator random, int excluded) {
		int size = this.instances.length;
		if (size == 1) {
			return 0;
		}
		double[] cumulative = this.cumulative;
		if (cumulative == null) {
			if (excluded < 0) {
				return random.nextInt(size);
			}
			int index = random.nextInt(size - 1);
			return (index >= excluded) ? index + 1 : index;
		}
		if (excluded < 0) {
			int column = random.nextInt(size);
			return (random.nextDouble() < this.keep[column]) ? column : this.alias[column];
		}
		double total = this.total;
		double excludedWeight = (excluded >= 0) ? this.weights[excluded] : 0;
		double point = random.nextDouble() * (total - excludedWeight);
		// Skip over the excluded instance's stretch of the cumulative line.
		if (excluded >= 0 && point >= cumulative[excluded] - excludedWeight) {
			point += excludedWeight;
		}
		int index = Arrays.binarySearch(cumulative, point);
		// Not found gives -(insertion point) - 1: the first cumulative weight above the
		// point. Found means the
		// point sits exactly on a boundary, which belongs to the next instance.
		index = (index >= 0) ? index + 1 : -index - 1;
		index = Math.min(index, size - 1);
		return (index == excluded) ? (index + 1) % size : index;
	}

	// A second candidate: weighted random without 'first', and without 'avoided' when
	// more than two remain.
	private int pickIndexWithout(RandomGenerator random, int first, int avoided) {
		for (int attempt = 0; attempt < 8; attempt++) {
			int index = pickIndex(random, first);
			if (index != avoided) {
				return index;
			}
		}
		return first;
	}

	@Override
	public String toString() {
		return Arrays.toString(this.instances);
	}

}
