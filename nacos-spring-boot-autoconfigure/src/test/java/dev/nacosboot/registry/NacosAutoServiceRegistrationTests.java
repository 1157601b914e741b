package dev.nacosboot.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.core.InvalidNacosPropertiesException;
import dev.nacosboot.core.NacosUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * The application's side of the registration: which intents its events become.
 */
class NacosAutoServiceRegistrationTests {

	private final GenericApplicationContext context = new GenericApplicationContext();

	private final NamingService naming = mock(NamingService.class);

	private final NacosRegistration registration = new NacosRegistration("orders", "DEFAULT_GROUP", "DEFAULT",
			"10.0.0.5", 0, false, 4, true, true, Map.of());

	private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

	private final List<Instance> sent = new CopyOnWriteArrayList<>();

	NacosAutoServiceRegistrationTests() throws NacosException {
		this.context.refresh();
		this.scheduler.setPoolSize(2);
		this.scheduler.initialize();
		when(this.naming.getServerStatus()).thenReturn("DOWN");
		doAnswer((invocation) -> this.sent.add(invocation.getArgument(2))).when(this.naming)
			.registerInstance(anyString(), anyString(), any(Instance.class));
	}

	@AfterEach
	void shutDownScheduler() {
		this.scheduler.shutdown();
	}

	private NacosAutoServiceRegistration lifecycle(boolean failFast, boolean readinessGating) {
		NacosInstanceReconciler reconciler = new NacosInstanceReconciler(this.registration, this.naming, this.scheduler,
				this.context, new NacosInstanceReconciler.Settings(failFast, null, 0.1, Duration.ofMillis(10),
						Duration.ofMillis(40), Duration.ofSeconds(1), Duration.ZERO, false, "nacos:8848"));
		return new NacosAutoServiceRegistration(this.context, reconciler,
				new NacosAutoServiceRegistration.Settings(-1, failFast, readinessGating, "nacos:8848"));
	}

	@Test
	void startShouldRegisterTheWebServerPortDisabledUntilReady() {
		NacosAutoServiceRegistration lifecycle = lifecycle(false, true);
		lifecycle.start(8080);
		await().atMost(Duration.ofSeconds(5)).until(lifecycle::isRegistered);
		assertThat(this.sent).singleElement().satisfies((instance) -> {
			assertThat(instance.getPort()).isEqualTo(8080);
			assertThat(instance.isEnabled()).isFalse();
		});
		lifecycle.onApplicationEvent(new AvailabilityChangeEvent<>(this.context, ReadinessState.ACCEPTING_TRAFFIC));
		assertThat(this.registration.isRoutable()).isTrue();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.sent.size() == 2);
		assertThat(this.sent.get(1).isEnabled()).isTrue();
		lifecycle.stop();
	}

	@Test
	void failFastShouldThrowWhenRegistrationFails() throws Exception {
		doThrow(new NacosException(NacosException.CLIENT_DISCONNECT, "Client not connected")).when(this.naming)
			.registerInstance(anyString(), anyString(), any(Instance.class));
		assertThatExceptionOfType(NacosUnavailableException.class).isThrownBy(() -> lifecycle(true, false).start(8080))
			.satisfies(
					(ex) -> assertThat(ex.getFailFastProperty()).isEqualTo("spring.cloud.nacos.discovery.fail-fast"));
	}

	@Test
	void failFastShouldReportAnInstanceRefusedAsInvalidAsASettingsProblem() throws Exception {
		String reason = "Param check invalid:Param 'Metadata' is illegal, the param length should not exceed 1024.";
		doThrow(new NacosException(NacosException.INVALID_PARAM, reason)).when(this.naming)
			.registerInstance(anyString(), anyString(), any(Instance.class));
		assertThatExceptionOfType(InvalidNacosPropertiesException.class)
			.isThrownBy(() -> lifecycle(true, false).start(8080))
			.satisfies((ex) -> assertThat(ex.getViolations()).singleElement().satisfies((violation) -> {
				assertThat(violation.property()).isEqualTo("spring.cloud.nacos.discovery");
				assertThat(violation.reason()).contains("nacos:8848").contains(reason);
			}));
		// Not left in the client's redo task either.
		verify(this.naming).deregisterInstance(eq("orders"), eq("DEFAULT_GROUP"),
				argThat((Instance instance) -> instance.getMetadata().isEmpty()));
	}

	@Test
	void closingAChildContextShouldNotDeregister() throws Exception {
		NacosAutoServiceRegistration lifecycle = lifecycle(false, false);
		lifecycle.start(8080);
		await().atMost(Duration.ofSeconds(5)).until(lifecycle::isRegistered);
		GenericApplicationContext child = new GenericApplicationContext();
		child.setParent(this.context);
		child.refresh();
		lifecycle.onApplicationEvent(new ContextClosedEvent(child));
		verify(this.naming, never()).deregisterInstance(anyString(), anyString(), any(Instance.class));
		lifecycle.onApplicationEvent(new ContextClosedEvent(this.context));
		lifecycle.onApplicationEvent(new ContextClosedEvent(this.context));
		verify(this.naming).deregisterInstance(eq("orders"), eq("DEFAULT_GROUP"), any(Instance.class));
		assertThat(lifecycle.isRegistered()).isFalse();
	}

	@Test
	void destroyWithoutCloseShouldStopRetrying() throws Exception {
		AtomicInteger attempts = new AtomicInteger();
		doAnswer((invocation) -> {
			attempts.incrementAndGet();
			throw new NacosException(NacosException.CLIENT_DISCONNECT, "Client not connected");
		}).when(this.naming).registerInstance(anyString(), anyString(), any(Instance.class));
		NacosAutoServiceRegistration lifecycle = lifecycle(false, false);
		lifecycle.start(8080);
		await().atMost(Duration.ofSeconds(5)).until(() -> attempts.get() >= 2);
		lifecycle.destroy();
		int afterDestroy = attempts.get();
		// Retries would come every 10-40 ms.
		await().during(Duration.ofMillis(300))
			.atMost(Duration.ofSeconds(2))
			.until(() -> attempts.get() == afterDestroy);
	}

	@Test
	void readinessOfAChildContextShouldBeIgnored() {
		NacosAutoServiceRegistration lifecycle = lifecycle(false, true);
		assertThat(this.registration.isRoutable()).isFalse();
		lifecycle.onApplicationEvent(new AvailabilityChangeEvent<>(this.context, ReadinessState.ACCEPTING_TRAFFIC));
		GenericApplicationContext child = new GenericApplicationContext();
		child.setParent(this.context);
		lifecycle.onApplicationEvent(new AvailabilityChangeEvent<>(child, ReadinessState.REFUSING_TRAFFIC));
		assertThat(this.registration.isRoutable()).isTrue();
		lifecycle.onApplicationEvent(new AvailabilityChangeEvent<>(this, ReadinessState.REFUSING_TRAFFIC));
		assertThat(this.registration.isRoutable()).isFalse();
		assertThat(this.registration.getOutOfTrafficReasons()).containsExactly(OutOfTrafficReason.READINESS);
	}

}
