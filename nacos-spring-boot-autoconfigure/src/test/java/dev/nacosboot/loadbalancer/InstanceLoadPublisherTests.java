package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The write rate of load publishing, on a manual clock with the default settings (sample
 * every 5 s, 30 s smoothing, 0.1 minimum change, 20 s between updates).
 */
class InstanceLoadPublisherTests {

	private final AtomicLong clock = new AtomicLong(0);

	private final List<String> written = new ArrayList<>();

	private final NacosLoadBalancerProperties.LoadPublishing settings = new NacosLoadBalancerProperties()
		.getLoadPublishing();

	@Test
	void wildlySwingingLoadShouldWriteAtMostOnceEveryMinimumUpdateInterval() {
		SplittableRandom random = new SplittableRandom(7);
		InstanceLoadPublisher publisher = publisher(() -> random.nextBoolean() ? 0.05 : 0.95);
		run(publisher, Duration.ofMinutes(10));
		System.out.println("10 min of a load swinging 5 %/95 %: " + this.written.size() + " updates " + this.written);
		assertThat(this.written).hasSizeLessThanOrEqualTo(10 * 60 / 20);
	}

	@Test
	void steadyNoisyLoadShouldWriteOnceAndThenNothing() {
		SplittableRandom random = new SplittableRandom(11);
		InstanceLoadPublisher publisher = publisher(() -> 0.6 + (random.nextDouble() - 0.5) * 0.1);
		run(publisher, Duration.ofMinutes(10));
		System.out.println("10 min of 60 % +- 5 %: " + this.written);
		assertThat(this.written).hasSize(1);
		assertThat(Double.parseDouble(this.written.get(0))).isBetween(0.5, 0.7);
	}

	@Test
	void idleInstanceShouldNeverWrite() {
		run(publisher(() -> 0.03), Duration.ofMinutes(10));
		assertThat(this.written).isEmpty();
	}

	@Test
	void loadThatRisesAndFallsShouldBeFollowed() {
		double[] load = { 0.9 };
		InstanceLoadPublisher publisher = publisher(() -> load[0]);
		run(publisher, Duration.ofMinutes(2));
		load[0] = 0.1;
		run(publisher, Duration.ofMinutes(3));
		System.out.println("90 % for 2 min, then 10 % for 3 min: " + this.written);
		assertThat(Double.parseDouble(this.written.get(0))).isGreaterThan(0.5);
		assertThat(Double.parseDouble(this.written.get(this.written.size() - 1))).isLessThan(0.2);
		assertThat(publisher.getUpdateCount()).isEqualTo(this.written.size());
	}

	@Test
	void unknownLoadShouldWriteNothing() {
		run(publisher(() -> Double.NaN), Duration.ofMinutes(5));
		assertThat(this.written).isEmpty();
	}

	private InstanceLoadPublisher publisher(InstanceLoadSignal signal) {
		return new InstanceLoadPublisher(signal, (value) -> this.written.add(value), this.settings, this.clock::get);
	}

	private void run(InstanceLoadPublisher publisher, Duration duration) {
		long end = this.clock.get() + duration.toNanos();
		while (this.clock.get() < end) {
			this.clock.addAndGet(this.settings.getSampleInterval().toNanos());
			publisher.sample();
		}
	}

}
