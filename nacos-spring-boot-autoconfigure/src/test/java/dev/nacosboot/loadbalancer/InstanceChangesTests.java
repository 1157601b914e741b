package dev.nacosboot.loadbalancer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import org.springframework.cloud.client.discovery.event.HeartbeatEvent;

import static org.assertj.core.api.Assertions.assertThat;

class InstanceChangesTests {

	private final InstanceChanges changes = new InstanceChanges();

	@Test
	void changesBeforeTheFirstSubscriberAreNotKept() {
		this.changes.onApplicationEvent(new HeartbeatEvent(this, 1L));
		List<Object> received = new CopyOnWriteArrayList<>();
		Disposable subscription = this.changes.flux().subscribe(received::add);
		this.changes.onApplicationEvent(new HeartbeatEvent(this, 2L));
		this.changes.onApplicationEvent(new HeartbeatEvent(this, 3L));
		subscription.dispose();
		assertThat(received).containsExactly(2L, 3L);
	}

	@Test
	void everySubscriberReceivesTheChanges() {
		List<Object> first = new CopyOnWriteArrayList<>();
		List<Object> second = new CopyOnWriteArrayList<>();
		this.changes.flux().subscribe(first::add);
		this.changes.flux().subscribe(second::add);
		this.changes.onApplicationEvent(new HeartbeatEvent(this, 7L));
		assertThat(first).containsExactly(7L);
		assertThat(second).containsExactly(7L);
	}

	@Test
	void destroyCompletesTheStream() {
		AtomicBoolean completed = new AtomicBoolean();
		this.changes.flux().subscribe(null, null, () -> completed.set(true));
		this.changes.destroy();
		assertThat(completed).isTrue();
	}

	@Test
	void aStreamAskedForAfterDestroyIsComplete() {
		this.changes.destroy();
		AtomicBoolean completed = new AtomicBoolean();
		this.changes.flux().subscribe(null, null, () -> completed.set(true));
		assertThat(completed).isTrue();
	}

}
