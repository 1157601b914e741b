package dev.nacosboot.discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.core.LazyClientProxy;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.TaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.mock;

/**
 * The naming client's holder creates the client once, only when asked or once the
 * application is ready, and lets readers of its state look without creating it.
 */
class NacosNamingClientTests {

	private final NamingService naming = mock(NamingService.class);

	private final AtomicInteger created = new AtomicInteger();

	private final List<Runnable> queued = new ArrayList<>();

	private final NacosNamingClient client = new NacosNamingClient(() -> {
		this.created.incrementAndGet();
		return this.naming;
	}, this.queued::add);

	@Test
	void nothingIsCreatedUntilAsked() {
		assertThat(this.client.getIfCreated()).isNull();
		assertThat(this.created).hasValue(0);
		assertThat(this.client.get()).isSameAs(this.naming);
		assertThat(this.client.get()).isSameAs(this.naming);
		assertThat(this.client.getIfCreated()).isSameAs(this.naming);
		assertThat(this.created).hasValue(1);
	}

	@Test
	void theLazyProxyCreatesTheClientAtItsFirstCall() {
		given(this.naming.getServerStatus()).willReturn("UP");
		NamingService proxy = this.client.lazyProxy(getClass().getClassLoader());
		assertThat(LazyClientProxy.isLazyProxy(proxy)).isTrue();
		assertThat(LazyClientProxy.isLazyProxy(this.naming)).isFalse();
		assertThat(this.created).hasValue(0);
		assertThat(proxy.getServerStatus()).isEqualTo("UP");
		assertThat(this.created).hasValue(1);
	}

	@Test
	void readinessCreatesTheClientOnTheExecutorUnlessStoppedFirst() {
		this.client.start();
		assertThat(this.queued).as("nothing is created before the application is ready").isEmpty();
		this.client.onApplicationEvent(ready());
		assertThat(this.created).hasValue(0);
		assertThat(this.queued).hasSize(1);
		this.queued.remove(0).run();
		assertThat(this.created).hasValue(1);
		this.client.onApplicationEvent(ready());
		assertThat(this.queued).isEmpty();

		NacosNamingClient stopped = new NacosNamingClient(() -> {
			this.created.incrementAndGet();
			return this.naming;
		}, this.queued::add);
		stopped.start();
		stopped.onApplicationEvent(ready());
		stopped.stop();
		this.queued.remove(0).run();
		assertThat(stopped.getIfCreated()).isNull();
		assertThat(this.created).hasValue(1);
		// Restarted after the stop: the creation the stop prevented happens now.
		stopped.start();
		this.queued.remove(0).run();
		assertThat(stopped.getIfCreated()).isSameAs(this.naming);
	}

	@Test
	void readinessCreatesTheClientAfterTheStartDelayUnlessACallNeedsItSooner() {
		TaskScheduler scheduler = mock(TaskScheduler.class);
		NacosNamingClient delayed = new NacosNamingClient(() -> {
			this.created.incrementAndGet();
			return this.naming;
		}, scheduler, Duration.ofSeconds(5));
		delayed.start();
		Instant readyAt = Instant.now();
		delayed.onApplicationEvent(ready());
		ArgumentCaptor<Runnable> creation = ArgumentCaptor.forClass(Runnable.class);
		ArgumentCaptor<Instant> at = ArgumentCaptor.forClass(Instant.class);
		then(scheduler).should().schedule(creation.capture(), at.capture());
		assertThat(at.getValue()).isBetween(readyAt.plusSeconds(5), Instant.now().plusSeconds(5));
		assertThat(this.created).hasValue(0);
		// A discovery call in the meantime creates it at once; the delayed creation then
		// finds it.
		assertThat(delayed.get()).isSameAs(this.naming);
		creation.getValue().run();
		assertThat(this.created).hasValue(1);
	}

	@Test
	void actionsWaitingForTheClientRunOnTheExecutorOnceItExists() {
		List<NamingService> seen = new ArrayList<>();
		this.client.whenCreated(seen::add);
		assertThat(this.queued).isEmpty();
		this.client.get();
		assertThat(this.queued).hasSize(1);
		this.queued.remove(0).run();
		assertThat(seen).containsExactly(this.naming);
		this.client.whenCreated(seen::add);
		this.queued.remove(0).run();
		assertThat(seen).containsExactly(this.naming, this.naming);
	}

	@Test
	void aFailedCreationIsTriedAgainByTheNextCaller() {
		AtomicInteger attempts = new AtomicInteger();
		NacosNamingClient failingOnce = new NacosNamingClient(() -> {
			if (attempts.incrementAndGet() == 1) {
				throw new IllegalStateException("no client");
			}
			return this.naming;
		}, Runnable::run);
		failingOnce.start();
		failingOnce.onApplicationEvent(ready());
		assertThat(attempts).hasValue(1);
		assertThat(failingOnce.getIfCreated()).isNull();
		assertThat(failingOnce.get()).isSameAs(this.naming);
	}

	@Test
	void anExistingClientIsHeldAsCreated() {
		NacosNamingClient existing = NacosNamingClient.of(this.naming);
		assertThat(existing.getIfCreated()).isSameAs(this.naming);
		assertThat(existing.get()).isSameAs(this.naming);
	}

	private static ApplicationReadyEvent ready() {
		return new ApplicationReadyEvent(new SpringApplication(), new String[0],
				mock(ConfigurableApplicationContext.class), Duration.ZERO);
	}

}
