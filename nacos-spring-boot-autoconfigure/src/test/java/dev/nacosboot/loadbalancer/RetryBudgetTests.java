package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The retry budget on a manual clock: a reserve per second of the window, a share of the
 * recent calls, both forgotten after the window.
 */
class RetryBudgetTests {

	private final AtomicLong clock = new AtomicLong(5_000_000_000L);

	private final RetryBudget budget = new RetryBudget(new RetryBudget.Settings(20, 1, Duration.ofSeconds(10)),
			this.clock::get);

	@Test
	void quietServiceShouldHaveTheReserveOnly() {
		assertThat(withdrawals()).as("1 per second over 10 s").isEqualTo(10);
	}

	@Test
	void callsShouldAddTheirShare() {
		for (int i = 0; i < 100; i++) {
			this.budget.deposit();
		}
		assertThat(withdrawals()).as("reserve 10 + 20 % of 100 calls").isEqualTo(30);
	}

	@Test
	void spentBudgetShouldComeBackWhenTheWindowHasPassed() {
		for (int i = 0; i < 100; i++) {
			this.budget.deposit();
		}
		assertThat(withdrawals()).isEqualTo(30);
		this.clock.addAndGet(Duration.ofSeconds(5).toNanos());
		assertThat(this.budget.tryWithdraw()).as("withdrawals still count").isFalse();
		this.clock.addAndGet(Duration.ofSeconds(6).toNanos());
		assertThat(withdrawals()).as("deposits and withdrawals forgotten: the reserve again").isEqualTo(10);
	}

	@Test
	void deadServiceShouldCostAtMostTheShareOfItsCallsPlusTheReserve() {
		int calls = 0;
		int requeues = 0;
		// Every call fails and asks for a requeue, 1000 calls a second for 30 s.
		for (int second = 0; second < 30; second++) {
			for (int i = 0; i < 1000; i++) {
				this.budget.deposit();
				calls++;
				if (this.budget.tryWithdraw()) {
					requeues++;
				}
				this.clock.addAndGet(1_000_000);
			}
		}
		System.out.printf("dead service: %d requeues for %d calls (%.1f %%)%n", requeues, calls,
				100.0 * requeues / calls);
		assertThat(requeues).isLessThanOrEqualTo(calls / 5 + 3 * 10);
	}

	private int withdrawals() {
		int count = 0;
		while (this.budget.tryWithdraw()) {
			count++;
		}
		return count;
	}

}
