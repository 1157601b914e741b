package dev.nacosboot.sample.consumer;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts calls to greeting-service per second, by the version and the instance that
 * answered (or by the failure), for the last {@value #RETAINED_SECONDS} seconds.
 */
public class TrafficRecorder {

	static final int RETAINED_SECONDS = 120;

	private final ConcurrentSkipListMap<Long, Second> seconds = new ConcurrentSkipListMap<>();

	private final Clock clock;

	public TrafficRecorder(Clock clock) {
		this.clock = clock;
	}

	/**
	 * Records one answered call.
	 * @param version version of the instance that answered
	 * @param instance {@code host:port} of the instance that answered
	 */
	public void recordAnswer(String version, String instance) {
		Second second = current();
		second.count(second.byOutcome, version);
		second.count(second.byInstance, instance);
	}

	/**
	 * Records one call that got no answer.
	 * @param failure short name of the failure, e.g. {@code no-instance}
	 */
	public void recordFailure(String failure) {
		Second second = current();
		second.count(second.byOutcome, failure);
	}

	/**
	 * Counts of the last completed seconds, oldest first (the running second is left out:
	 * it is still filling).
	 * @param count number of seconds
	 * @return one entry per second, including seconds without calls
	 */
	public List<SecondCounts> lastSeconds(int count) {
		long now = this.clock.instant().getEpochSecond();
		List<SecondCounts> result = new ArrayList<>(count);
		for (long second = now - count; second < now; second++) {
			Second counts = this.seconds.get(second);
			result.add(new SecondCounts(second, (counts != null) ? counts.snapshot(counts.byOutcome) : Map.of()));
		}
		return result;
	}

	/**
	 * Calls answered per instance in the last completed seconds.
	 * @param count number of seconds
	 * @return calls by {@code host:port}
	 */
	public Map<String, Long> byInstance(int count) {
		long now = this.clock.instant().getEpochSecond();
		Map<String, Long> result = new TreeMap<>();
		for (Second second : this.seconds.subMap(now - count, now).values()) {
			second.snapshot(second.byInstance).forEach((key, n) -> result.merge(key, n, Long::sum));
		}
		return result;
	}

	private Second current() {
		long now = this.clock.instant().getEpochSecond();
		this.seconds.headMap(now - RETAINED_SECONDS).clear();
		return this.seconds.computeIfAbsent(now, (key) -> new Second());
	}

	/**
	 * Calls of one second by outcome: a version, or a failure.
	 *
	 * @param epochSecond the second
	 * @param byOutcome number of calls per outcome
	 */
	public record SecondCounts(long epochSecond, Map<String, Long> byOutcome) {
	}

	private static final class Second {

		private final Map<String, LongAdder> byOutcome = new ConcurrentHashMap<>();

		private final Map<String, LongAdder> byInstance = new ConcurrentHashMap<>();

		void count(Map<String, LongAdder> counters, String key) {
			counters.computeIfAbsent(key, (k) -> new LongAdder()).increment();
		}

		Map<String, Long> snapshot(Map<String, LongAdder> counters) {
			Map<String, Long> snapshot = new TreeMap<>();
			counters.forEach((key, adder) -> snapshot.put(key, adder.sum()));
			return snapshot;
		}

	}

}
