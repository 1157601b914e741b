package dev.nacosboot.loadbalancer;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What the consumer has observed of one instance through Spring Cloud LoadBalancer's
 * lifecycle callbacks: calls in flight, a peak-sensitive moving average of latency, and
 * passive health. Health is a factor in [0, 1] applied to the instance's weight:
 * consecutive failures lower it (soft), the configured number of them ejects the instance
 * (factor 0) for a back-off that doubles on each repeated ejection, and after the
 * back-off the factor ramps up linearly from a low start, so a recovered instance is not
 * flooded at once. A failed connect is a hard signal: it ejects the instance at once,
 * with no back-off of its own, until a probe (or a call) connects again; then the factor
 * ramps up as after any ejection.
 * <p>
 * Thread-safe; the cheap counters are atomic, health and latency changes are
 * synchronized.
 */
final class InstanceStats {

	// Share of the average a call keeps at most, however close it follows the previous
	// one.
	private static final double MAX_RETAINED_PER_CALL = 0.9;

	// A call still open after this many decay times (30 s by default) is taken as
	// abandoned.
	private static final long ABANDONED_AFTER_DECAYS = 3;

	private final Supplier<OutlierSettings> settings;

	private final AtomicInteger inFlight = new AtomicInteger();

	private final Queue<Long> starts = new ConcurrentLinkedQueue<>();

	private boolean warm;

	private int consecutiveFailures;

	private int ejections;

	private long ejectedUntil = Long.MIN_VALUE;

	private boolean ejected;

	// Refused a connection (or could not be reached): out until a connect succeeds.
	private boolean connectEjected;

	// Health is base, ramping linearly to 1 from rampFrom over the ramp-up time.
	private double base = 1;

	private long rampFrom;

	private double latencyNanos;

	private long latencyAt;

	private boolean hasLatency;

	private volatile long lastUsed;

	InstanceStats(Supplier<OutlierSettings> settings, long now) {
		this.settings = settings;
		this.lastUsed = now;
	}

	/**
	 * Records the start of a call.
	 * @param now current time in nanoseconds
	 */
	void callStarted(long now) {
		forgetAbandoned(now);
		this.inFlight.incrementAndGet();
		this.starts.add(now);
	}

	// A cancelled reactive call (a gateway client gone, a caller's timeout) never reports
	// its end: Spring Cloud's
	// reactive filters complete the lifecycle on success and error only. Counted for
	// ever, it would keep the
	// instance busy (and, before its first latency, out of the least-latency choice).
	private void forgetAbandoned(long now) {
		long bound = this.settings.get().latencyDecay().toNanos() * ABANDONED_AFTER_DECAYS;
		Long oldest;
		while ((oldest = this.starts.peek()) != null && now - oldest > bound) {
			if (this.starts.remove(oldest)) {
				this.inFlight.decrementAndGet();
			}
		}
	}

	/**
	 * Records the end of a call and its latency. The lifecycle callbacks of a call do not
	 * always share one request object (the blocking client passes a fresh one to its
	 * completion), so ends are matched to starts in order: exact for sequential calls,
	 * and the same average for concurrent ones.
	 * @param now current time in nanoseconds
	 */
	void callEnded(long now) {
		Long start = this.starts.poll();
		if (start == null) {
			return;
		}
		this.inFlight.decrementAndGet();
		latency(now - start, now);
	}

	void used(long now) {
		this.lastUsed = now;
	}

	/**
	 * Whether nothing happened here for longer than the longest ejection, so forgetting
	 * it loses nothing.
	 * @param now current time in nanoseconds
	 * @return whether idle
	 */
	boolean isIdle(long now) {
		forgetAbandoned(now);
		return this.starts.isEmpty() && !isEjected(now)
				&& now - this.lastUsed > this.settings.get().maxEjectionTime().toNanos()
						+ this.settings.get().rampUp().toNanos();
	}

	int inFlight() {
		return Math.max(this.inFlight.get(), 0);
	}

	/**
	 * Records a successful call.
	 * @param now current time in nanoseconds
	 * @return whether the health factor changed (an instance that failed to connect
	 * answered after all)
	 */
	synchronized boolean succeeded(long now) {
		this.consecutiveFailures = 0;
		if (this.connectEjected) {
			return connected(now);
		}
		if (!this.ejected && healthAt(now) >= 1) {
			// Fully recovered: a later ejection starts again from the base back-off.
			this.ejections = 0;
		}
		return false;
	}

	/**
	 * Records a failed connect: the instance is out at once, however many others are,
	 * until a connect succeeds.
	 * @param now current time in nanoseconds
	 * @return whether it was not out for that already (the routing needs rebuilding)
	 */
	synchronized boolean connectFailed(long now) {
		this.consecutiveFailures = 0;
		if (this.connectEjected) {
			return false;
		}
		this.connectEjected = true;
		return true;
	}

	/**
	 * Records a successful connect (a probe's): an instance out for a failed connect
	 * comes back, ramping up from a low share of its weight.
	 * @param now current time in nanoseconds
	 * @return whether it was out (the routing needs rebuilding)
	 */
	synchronized boolean connected(long now) {
		if (!this.connectEjected) {
			return false;
		}
		this.connectEjected = false;
		this.ejected = false;
		this.base = this.settings.get().rampUpStart();
		this.rampFrom = now;
		return true;
	}

	/**
	 * Whether the instance is out for a failed connect.
	 * @return whether a probe must bring it back
	 */
	synchronized boolean isConnectEjected() {
		return this.connectEjected;
	}

	/**
	 * Records a failed call that reached the instance (a 5xx, when those count).
	 * @param now current time in nanoseconds
	 * @return whether the health factor changed (the routing needs rebuilding)
	 */
	synchronized boolean failed(long now) {
		if (this.connectEjected || isEjectedAt(now)) {
			// A call chosen before the ejection reached the routing table.
			return false;
		}
		this.consecutiveFailures++;
		int threshold = this.settings.get().consecutiveFailures();
		if (this.consecutiveFailures >= threshold) {
			this.ejected = true;
			long backOff = Math.min(this.settings.get().baseEjectionTime().toNanos() << Math.min(this.ejections, 20),
					this.settings.get().maxEjectionTime().toNanos());
			this.ejections++;
			this.ejectedUntil = now + backOff;
			this.consecutiveFailures = 0;
			this.base = this.settings.get().rampUpStart();
			this.rampFrom = this.ejectedUntil;
			return true;
		}
		if (!this.settings.get().softDownWeighting()) {
			return false;
		}
		double soft = 1 - (double) this.consecutiveFailures / threshold;
		this.base = Math.min(healthAt(now), soft);
		this.rampFrom = now;
		return true;
	}

	/**
	 * Health factor: 0 while ejected, 1 when healthy, in between while down-weighted or
	 * ramping up.
	 * @param now current time in nanoseconds
	 * @return the factor
	 */
	synchronized double healthAt(long now) {
		if (this.connectEjected || isEjectedAt(now)) {
			return 0;
		}
		this.ejected = false;
		if (this.base >= 1) {
			return 1;
		}
		long rampUp = this.settings.get().rampUp().toNanos();
		double progress = (rampUp <= 0) ? 1 : (double) (now - this.rampFrom) / rampUp;
		if (progress >= 1) {
			this.base = 1;
			return 1;
		}
		return this.base + (1 - this.base) * Math.max(progress, 0);
	}

	boolean isEjectedAt(long now) {
		return this.ejected && now - this.ejectedUntil < 0;
	}

	/**
	 * When the health factor next changes by itself (end of an ejection), or during a
	 * ramp-up when it has moved enough to rebuild the routing.
	 * @param now current time in nanoseconds
	 * @return the time in nanoseconds, {@link Long#MAX_VALUE} when the instance is
	 * healthy
	 */
	synchronized long nextChangeAfter(long now) {
		if (this.connectEjected) {
			// Only a successful connect changes it.
			return Long.MAX_VALUE;
		}
		if (isEjectedAt(now)) {
			return this.ejectedUntil;
		}
		if (healthAt(now) >= 1) {
			return Long.MAX_VALUE;
		}
		return now + Math.max(this.settings.get().rampUp().toNanos() / 10, 50_000_000L);
	}

	/**
	 * Records the latency of a call into a peak-sensitive moving average: a slower call
	 * is taken at once, faster ones pull the average down with the decay time (as
	 * Finagle's peak EWMA does), and each by at least a tenth of the way: otherwise a
	 * busy fast instance would be rated by one hiccup for a minute (an 80 ms spike over
	 * 0.3 ms calls takes 10 s x ln(80 / 0.3) to fade by time alone), while the idle slow
	 * instance decays and wins.
	 * @param nanos the call's latency
	 * @param now current time in nanoseconds
	 */
	synchronized void latency(long nanos, long now) {
		if (!this.warm) {
			// The first call to an instance pays for the connection and warm-up: as a
			// peak it would keep the
			// instance out for several decay times.
			this.warm = true;
			return;
		}
		if (!this.hasLatency || nanos > this.latencyNanos) {
			this.latencyNanos = nanos;
		}
		else {
			double w = Math.min(
					Math.exp(-(double) (now - this.latencyAt) / this.settings.get().latencyDecay().toNanos()),
					MAX_RETAINED_PER_CALL);
			this.latencyNanos = this.latencyNanos * w + nanos * (1 - w);
		}
		this.hasLatency = true;
		this.latencyAt = now;
	}

	/**
	 * The moving average of latency, decayed towards 0 for the time since the last call
	 * so that an instance that lost every comparison is tried again (0 when nothing was
	 * measured).
	 * @param now current time in nanoseconds
	 * @return the latency in nanoseconds
	 */
	synchronized double latencyAt(long now) {
		if (!this.hasLatency) {
			return 0;
		}
		double idle = Math.max(now - this.latencyAt, 0);
		return this.latencyNanos * Math.exp(-idle / this.settings.get().latencyDecay().toNanos());
	}

	/**
	 * Cost of sending one more call here for the least-latency strategy: latency x
	 * (in-flight + 1), divided by health so that a failing instance that answers fast
	 * does not attract calls. An instance not measured yet costs nothing while idle (it
	 * gets tried) and the most while a call is in flight there, so that a new, slow
	 * instance takes one call at a time until it has a latency.
	 * @param now current time in nanoseconds
	 * @return the cost
	 */
	double cost(long now) {
		forgetAbandoned(now);
		int inFlight = inFlight();
		if (inFlight > 0 && !isMeasured()) {
			return Double.MAX_VALUE;
		}
		double health = Math.max(healthAt(now), 0.01);
		return latencyAt(now) * (inFlight + 1) / health;
	}

	private synchronized boolean isMeasured() {
		return this.hasLatency;
	}

	synchronized boolean isEjected(long now) {
		return isEjectedAt(now);
	}

	@Override
	public synchronized String toString() {
		return "InstanceStats{inFlight=" + this.inFlight + ", failures=" + this.consecutiveFailures + ", ejected="
				+ this.ejected + ", connectEjected=" + this.connectEjected + ", latencyMs=" + (this.latencyNanos / 1e6)
				+ "}";
	}

}
