package dev.nacosboot.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doNothing;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

@ExtendWith(OutputCaptureExtension.class)
class NacosAutoServiceRegistrationTests {

	private final GenericApplicationContext context = new GenericApplicationContext();

	private final NacosServiceRegistry registry = mock(NacosServiceRegistry.class);

	private final NamingService naming = mock(NamingService.class);

	private final NacosRegistration registration = new NacosRegistration("orders", "DEFAULT_GROUP", "DEFAULT",
			"10.0.0.5", 0, false, 4, true, true, Map.of());

	NacosAutoServiceRegistrationTests() {
		this.context.refresh();
		when(this.naming.getServerStatus()).thenReturn("DOWN");
	}

	private NacosAutoServiceRegistration lifecycle(boolean failFast, boolean readinessGating) {
		return new NacosAutoServiceRegistration(this.context, this.registry, this.registration, this.naming,
				new NacosAutoServiceRegistration.Settings(-1, failFast, readinessGating, null, 0.1,
						Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(1), "nacos:8848"));
	}

	@Test
	void startShouldRegisterTheWebServerPortDisabledUntilReady() {
		NacosAutoServiceRegistration lifecycle = lifecycle(false, true);
		lifecycle.start(8080);
		verify(this.registry, timeout(5000)).register(this.registration);
		assertThat(this.registration.getPort()).isEqualTo(8080);
		assertThat(this.registration.toInstance().isEnabled()).isFalse();
		lifecycle.onApplicationEvent(new AvailabilityChangeEvent<>(this.context, ReadinessState.ACCEPTING_TRAFFIC));
		assertThat(this.registration.toInstance().isEnabled()).isTrue();
		verify(this.registry, timeout(5000).times(2)).register(this.registration);
		lifecycle.stop();
	}

	@Test
	void unreachableServerShouldBeRetriedWithOneWarning(CapturedOutput output) {
		doThrow(new NacosRegistrationException("Client not connected", new IllegalStateException("down")))
			.when(this.registry)
			.register(any());
		NacosAutoServiceRegistration lifecycle = lifecycle(false, false);
		lifecycle.start(8080);
		verify(this.registry, timeout(5000).atLeast(4)).register(this.registration);
		assertThat(lifecycle.isRegistered()).isFalse();
		lifecycle.stop();
		String out = output.getOut();
		assertThat(out.split("Could not register", -1)).hasSize(2);
		// Only this warning is ours to judge: clients left by other test classes may log
		// their own traces.
		List<String> warningAndNext = out.substring(out.indexOf("Could not register")).lines().limit(2).toList();
		assertThat(warningAndNext).noneMatch((line) -> line.startsWith("\tat ") || line.contains("Exception:"));
	}

	@Test
	void instanceRefusedAsInvalidShouldBeLoggedOnceWithTheServersReasonAndNotRetried(CapturedOutput output)
			throws Exception {
		String reason = "Param check invalid:Param 'Metadata' is illegal, the param length should not exceed 1024.";
		doThrow(new NacosRegistrationException("Could not register",
				new NacosException(NacosException.INVALID_PARAM, reason)))
			.when(this.registry)
			.register(any());
		NacosAutoServiceRegistration lifecycle = lifecycle(false, false);
		lifecycle.start(8080);
		// Dropped from the client's redo, without the metadata that may be what the
		// server refused.
		verify(this.naming, timeout(5000)).deregisterInstance(eq("orders"), eq("DEFAULT_GROUP"),
				argThat((Instance instance) -> instance.getMetadata().isEmpty()));
		// Retries would come every 10-40 ms.
		await().during(Duration.ofMillis(500))
			.atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> verify(this.registry, times(1)).register(this.registration));
		assertThat(lifecycle.isRegistered()).isFalse();
		lifecycle.stop();
		verify(this.registry, never()).deregister(any());
		String out = output.getOut();
		assertThat(out.split("refused to register", -1)).hasSize(2);
		assertThat(out).contains("ERROR").contains(reason).doesNotContain("retrying in the background");
	}

	@Test
	void refusedUpdateOfARegisteredInstanceShouldKeepTheAcceptedOne(CapturedOutput output) throws Exception {
		String reason = "Param check invalid:Param 'Metadata' is illegal, the param length should not exceed 1024.";
		doNothing()
			.doThrow(new NacosRegistrationException("Could not register",
					new NacosException(NacosException.INVALID_PARAM, reason)))
			.when(this.registry)
			.register(any());
		NacosAutoServiceRegistration lifecycle = lifecycle(false, true);
		lifecycle.start(8080);
		verify(this.registry, timeout(5000)).register(this.registration);
		this.registration.getMetadata().put("grown", "x".repeat(2000));
		lifecycle.onApplicationEvent(new AvailabilityChangeEvent<>(this.context, ReadinessState.ACCEPTING_TRAFFIC));
		// The client's redo data goes back to what the server accepted: registered, not
		// yet enabled, no new entry.
		verify(this.naming, timeout(5000)).registerInstance(eq("orders"), eq("DEFAULT_GROUP"),
				argThat((Instance instance) -> !instance.isEnabled() && !instance.getMetadata().containsKey("grown")));
		verify(this.naming, never()).deregisterInstance(any(), any(), any(Instance.class));
		assertThat(lifecycle.isRegistered()).isTrue();
		lifecycle.stop();
		assertThat(output.getOut()).contains("refused an update of")
			.contains(reason)
			.contains("stays registered as it was");
	}

	@Test
	void backoffShouldGrowToTheBoundWithJitter() {
		NacosAutoServiceRegistration lifecycle = lifecycle(false, false);
		assertThat(lifecycle.backoff(1)).isBetween(Duration.ofMillis(8), Duration.ofMillis(10));
		assertThat(lifecycle.backoff(2)).isBetween(Duration.ofMillis(16), Duration.ofMillis(20));
		for (int attempt = 3; attempt < 100; attempt++) {
			assertThat(lifecycle.backoff(attempt)).isBetween(Duration.ofMillis(32), Duration.ofMillis(40));
		}
	}

	@Test
	void failFastShouldThrowWhenRegistrationFails() {
		doThrow(new NacosRegistrationException("Client not connected", new IllegalStateException("down")))
			.when(this.registry)
			.register(any());
		assertThatExceptionOfType(dev.nacosboot.core.NacosUnavailableException.class)
			.isThrownBy(() -> lifecycle(true, false).start(8080))
			.satisfies(
					(ex) -> assertThat(ex.getFailFastProperty()).isEqualTo("spring.cloud.nacos.discovery.fail-fast"));
	}

	@Test
	void failFastShouldReportAnInstanceRefusedAsInvalidAsASettingsProblem() throws Exception {
		String reason = "Param check invalid:Param 'Metadata' is illegal, the param length should not exceed 1024.";
		doThrow(new NacosRegistrationException("Could not register",
				new NacosException(NacosException.INVALID_PARAM, reason)))
			.when(this.registry)
			.register(any());
		assertThatExceptionOfType(dev.nacosboot.core.InvalidNacosPropertiesException.class)
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
	void closingAChildContextShouldNotDeregister() {
		NacosAutoServiceRegistration lifecycle = lifecycle(false, false);
		lifecycle.start(8080);
		verify(this.registry, timeout(5000)).register(this.registration);
		GenericApplicationContext child = new GenericApplicationContext();
		child.setParent(this.context);
		child.refresh();
		lifecycle.onApplicationEvent(new ContextClosedEvent(child));
		verify(this.registry, never()).deregister(any());
		lifecycle.onApplicationEvent(new ContextClosedEvent(this.context));
		lifecycle.onApplicationEvent(new ContextClosedEvent(this.context));
		verify(this.registry).deregister(this.registration);
	}

	@Test
	void destroyWithoutCloseShouldStopRetrying() {
		doThrow(new NacosRegistrationException("Client not connected", new IllegalStateException("down")))
			.when(this.registry)
			.register(any());
		NacosAutoServiceRegistration lifecycle = lifecycle(false, false);
		lifecycle.start(8080);
		verify(this.registry, timeout(5000).atLeast(2)).register(this.registration);
		lifecycle.destroy();
		assertThat(lifecycle.isBackgroundTerminated()).isTrue();
	}

	@Test
	void readinessOfAChildContextShouldBeIgnored() {
		NacosAutoServiceRegistration lifecycle = lifecycle(false, true);
		lifecycle.onApplicationEvent(new AvailabilityChangeEvent<>(this.context, ReadinessState.ACCEPTING_TRAFFIC));
		GenericApplicationContext child = new GenericApplicationContext();
		child.setParent(this.context);
		lifecycle.onApplicationEvent(new AvailabilityChangeEvent<>(child, ReadinessState.REFUSING_TRAFFIC));
		assertThat(this.registration.isRoutable()).isTrue();
		lifecycle.onApplicationEvent(new AvailabilityChangeEvent<>(this, ReadinessState.REFUSING_TRAFFIC));
		assertThat(this.registration.isRoutable()).isFalse();
	}

}
