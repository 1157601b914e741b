package dev.nacosboot.reliability;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Calls a service over and over on a thread of its own, as a busy consumer does, and
 * counts what succeeded and what failed (keeping the first failures' messages, each with
 * the step of the test it happened in, for the assertion's description).
 */
final class CallLoop implements AutoCloseable {

	private final Thread thread;

	private final AtomicLong succeeded = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final List<String> failures = new CopyOnWriteArrayList<>();

	private volatile boolean running = true;

	private volatile String phase = "start";

	CallLoop(String name, Supplier<String> call) {
		this.thread = new Thread(() -> {
			while (this.running) {
				try {
					String body = call.get();
					if (body == null || body.isBlank()) {
						throw new IllegalStateException("empty answer");
					}
					this.succeeded.incrementAndGet();
				}
				catch (RuntimeException ex) {
					this.failed.incrementAndGet();
					if (this.failures.size() < 5) {
						this.failures.add(this.phase + ": " + ex);
					}
				}
			}
		}, name);
		this.thread.setDaemon(true);
		this.thread.start();
	}

	/**
	 * Names what the test is doing now, so that a failure says in which step it happened.
	 */
	void phase(String phase) {
		this.phase = phase;
	}

	long succeeded() {
		return this.succeeded.get();
	}

	long failed() {
		return this.failed.get();
	}

	List<String> failures() {
		return this.failures;
	}

	@Override
	public void close() throws InterruptedException {
		this.running = false;
		this.thread.join(30_000);
	}

}
