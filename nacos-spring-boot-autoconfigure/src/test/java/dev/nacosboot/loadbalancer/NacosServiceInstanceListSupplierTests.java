package dev.nacosboot.loadbalancer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.discovery.NacosServiceInstance;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;

import org.springframework.cloud.client.ServiceInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

class NacosServiceInstanceListSupplierTests {

	private static final String SERVICE = "orders";

	private final NacosInstanceView view = mock(NacosInstanceView.class);

	private final AtomicLong changeCount = new AtomicLong();

	private final AtomicReference<List<NacosServiceInstance>> instances = new AtomicReference<>();

	private final Sinks.Many<Object> changes = Sinks.many().multicast().directBestEffort();

	private final NacosServiceInstance first = mock(NacosServiceInstance.class);

	private final NacosServiceInstance second = mock(NacosServiceInstance.class);

	NacosServiceInstanceListSupplierTests() {
		this.instances.set(List.of(this.first));
		given(this.view.getChangeCount()).willAnswer((invocation) -> this.changeCount.get());
		given(this.view.getInstances(SERVICE)).willAnswer((invocation) -> this.instances.get());
	}

	@Test
	void getShouldEmitTheCurrentListThenANewListAfterEachChange() {
		NacosServiceInstanceListSupplier supplier = new NacosServiceInstanceListSupplier(this.view, SERVICE,
				this.changes.asFlux());
		List<List<ServiceInstance>> lists = new CopyOnWriteArrayList<>();
		Disposable following = supplier.get().subscribe(lists::add);
		try {
			assertThat(lists).containsExactly(List.of(this.first));
			push(List.of(this.first, this.second));
			assertThat(lists).containsExactly(List.of(this.first), List.of(this.first, this.second));
			// A change of another service leaves this list as it was: no new emission.
			this.changeCount.incrementAndGet();
			this.changes.tryEmitNext(this.changeCount.get());
			assertThat(lists).hasSize(2);
		}
		finally {
			following.dispose();
		}
	}

	@Test
	void getShouldNotMissAChangeThatLandsWhileTheFirstListIsRead() {
		AtomicBoolean pushDuringFirstRead = new AtomicBoolean(true);
		given(this.view.getInstances(SERVICE)).willAnswer((invocation) -> {
			List<NacosServiceInstance> answer = this.instances.get();
			if (pushDuringFirstRead.getAndSet(false)) {
				push(List.of(this.first, this.second));
			}
			return answer;
		});
		NacosServiceInstanceListSupplier supplier = new NacosServiceInstanceListSupplier(this.view, SERVICE,
				this.changes.asFlux());
		List<List<ServiceInstance>> lists = new CopyOnWriteArrayList<>();
		Disposable following = supplier.get().subscribe(lists::add);
		try {
			assertThat(lists).last().isEqualTo(List.of(this.first, this.second));
		}
		finally {
			following.dispose();
		}
	}

	@Test
	void getWithoutChangeEventsShouldEmitOneListAndComplete() {
		NacosServiceInstanceListSupplier supplier = new NacosServiceInstanceListSupplier(this.view, SERVICE);
		assertThat(supplier.get().collectList().block()).containsExactly(List.of(this.first));
		push(List.of(this.first, this.second));
		assertThat(supplier.get().collectList().block()).containsExactly(List.of(this.first, this.second));
	}

	@Test
	void currentShouldHandOutTheSameListUntilAChange() {
		NacosServiceInstanceListSupplier supplier = new NacosServiceInstanceListSupplier(this.view, SERVICE);
		List<ServiceInstance> before = supplier.current();
		assertThat(supplier.current()).isSameAs(before);
		push(List.of(this.second));
		assertThat(supplier.current()).isNotSameAs(before).containsExactly(this.second);
	}

	// As the view does: the snapshot first, then the counter, then the event.
	private void push(List<NacosServiceInstance> updated) {
		this.instances.set(updated);
		this.changes.tryEmitNext(this.changeCount.incrementAndGet());
	}

}
