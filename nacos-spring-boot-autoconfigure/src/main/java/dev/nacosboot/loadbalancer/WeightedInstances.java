package dev.nacosboot.loadbalancer;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;

/**
 * Weighted random choice over a fixed set of instances: the probability of an instance is its weight over the sum
 * of weights. O(1) when all weights are equal, otherwise a binary search over cumulative weights (O(log n)); no
 * allocation per pick. Immutable and thread-safe.
 * <p>
 * Weighted random rather than smooth weighted round-robin: it needs no shared mutable state across the threads of
 * a client and every consumer instance follows the weights independently.
 */
final class WeightedInstances {

	static final WeightedInstances EMPTY = new WeightedInstances(new ServiceInstance[0], new double[0]);

	private final ServiceInstance[] instances;

	private final double @Nullable [] cumulative;

	private final double total;

	private WeightedInstances(ServiceInstance[] instances, double[] weights) {
		this.instances = instances;
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
	}

	/**
	 * Builds the choice over instances, every weight above 0.
	 * @param instances the instances
	 * @param weight weight of each instance
	 * @return the choice
	 */
	static WeightedInstances of(List<ServiceInstance> instances, ToDoubleFunction<ServiceInstance> weight) {
		if (instances.isEmpty()) {
			return EMPTY;
		}
		ServiceInstance[] array = instances.toArray(ServiceInstance[]::new);
		double[] weights = new double[array.length];
		for (int i = 0; i < array.length; i++) {
			weights[i] = weight.applyAsDouble(array[i]);
		}
		return new WeightedInstances(array, weights);
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

	/**
	 * Picks one instance.
	 * @param random source of randomness
	 * @return the instance, {@code null} when there is none
	 */
	@Nullable ServiceInstance pick(RandomGenerator random) {
		int size = this.instances.length;
		if (size == 0) {
			return null;
		}
		if (size == 1) {
			return this.instances[0];
		}
		double[] cumulative = this.cumulative;
		if (cumulative == null) {
			return this.instances[random.nextInt(size)];
		}
		double point = random.nextDouble() * this.total;
		int index = Arrays.binarySearch(cumulative, point);
		// Not found gives -(insertion point) - 1: the first cumulative weight above the point. Found means the
		// point sits exactly on a boundary, which belongs to the next instance.
		index = (index >= 0) ? index + 1 : -index - 1;
		return this.instances[Math.min(index, size - 1)];
	}

	@Override
	public String toString() {
		return Arrays.toString(this.instances);
	}

}
