package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How many requeues a service may take, as Finagle's retry budget: every call deposits a
 * share of a token, every requeue withdraws a whole one, deposits and withdrawals count
 * for one window only, and a reserve of a few requeues per second of the window is always
 * there (so that a quiet service can still requeue). A dead service therefore costs at
 * most {@code percent} more connection attempts than calls, plus the reserve, however
 * many instances it has.
 */
final class RetryBudget {

	private static final int SLOTS = 10;

	private static final long TOKEN = 1000;

	private final Settings settings;

	private final LongSupplier clock;

	private final long slotNanos;

	private final long deposit;

	private final long reserve;

	private final long[] values = new long[SLOTS];

	private final long[] epochs = new long[SLOTS];

	RetryBudget(Settings settings, LongSupplier clock) {
		this.settings = settings;
		this.clock = clock;
		this.slotNanos = Math.max(settings.window().toNanos() / SLOTS, 1);
		this.deposit = Math.round(settings.percent() * TOKEN / 100);
		this.reserve = Math.round(settings.minPerSecond() * settings.window().toMillis() * TOKEN / 1000.0);
		for (int i = 0; i < SLOTS; i++) {
			this.epochs[i] = Long.MIN_VALUE;
		}
	}

	Settings settings() {
		return this.settings;
	}

	/** Records a call. */
	synchronized void deposit() {
		add(this.deposit);
	}

	/**
	 * Takes one requeue from the budget if it has one.
	 * @return whether the requeue may go ahead
	 */
	synchronized boolean tryWithdraw() {
		if (balance() < TOKEN) {
			return false;
		}
		add(-TOKEN);
		return true;
	}

	/**
	 * Requeues left in the budget now.
	 * @return whole requeues
	 */
	synchronized long available() {
		return Math.max(balance(), 0) / TOKEN;
	}

	private long balance() {
		long epoch = epoch();
		long sum = this.reserve;
		for (int i = 0; i < SLOTS; i++) {
			if (epoch - this.epochs[i] < SLOTS) {
				sum += this.values[i];
			}
		}
		return sum;
	}

	private void add(long amount) {
		long epoch = epoch();
		int slot = (int) Math.floorMod(epoch, (long) SLOTS);
		if (this.epochs[slot] != epoch) {
			this.epochs[slot] = epoch;
			this.values[slot] = 0;
		}
		this.values[slot] += amount;
	}

	private long epoch() {
		return Math.floorDiv(this.clock.getAsLong(), this.slotNanos);
	}

	/**
	 * The budget's parameters.
	 *
	 * @param percent share of recent calls, in percent, that may be requeued
	 * @param minPerSecond requeues per second of the window that are always allowed
	 * @param window how long a call or a requeue counts
	 */
	record Settings(double percent, double minPerSecond, Duration window) {

	}

}
