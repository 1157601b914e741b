package dev.nacosboot.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.util.backoff.BackOffExecution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * The one writer of the instance: intents, their order, retries, refusals and the wait at
 * shutdown, against a mocked naming client.
 */
@ExtendWith(OutputCaptureExtension.class)
class NacosInstanceReconcilerTests {

	private static final String REFUSAL = "Param check invalid:Param 'Metadata' is illegal, the param length should "
			+ "not exceed 1024.";

	private final GenericApplicationContext context = new GenericApplicationContext();

	private final NamingService naming = mock(NamingService.class);

	private final NacosRegistration registration = new NacosRegistration("orders", "DEFAULT_GROUP", "DEFAULT",
			"10.0.0.5", 0, false, 4, true, true, Map.of());

	private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

	// Every instance the server accepted, in order.
	private final List<Instance> sent = new CopyOnWriteArrayList<>();

	NacosInstanceReconcilerTests() throws NacosException {
		this.context.refresh();
		this.scheduler.setPoolSize(4);
		this.scheduler.initialize();
		when(this.naming.getServerStatus()).thenReturn("UP");
		accept((instance) -> true);
	}

	@AfterEach
	void shutDownScheduler() {
		this.scheduler.shutdown();
	}

	private NacosInstanceReconciler reconciler(Duration warmup, Duration deregistrationTimeout) {
		return reconciler(warmup, deregistrationTimeout, false);
	}

	private NacosInstanceReconciler reconciler(Duration warmup, Duration deregistrationTimeout,
			boolean pushEmptyProtection) {
		return new NacosInstanceReconciler(this.registration, this.naming, this.scheduler, this.context,
				new NacosInstanceReconciler.Settings(false, warmup, 0.1, Duration.ofMillis(10), Duration.ofMillis(40),
						deregistrationTimeout, Duration.ZERO, pushEmptyProtection, "nacos:8848"));
	}

	private NacosInstanceReconciler reconciler() {
		return reconciler(null, Duration.ofSeconds(1));
	}

	// The server accepts what the predicate allows and refuses the rest as invalid.
	private void accept(java.util.function.Predicate<Instance> valid) throws NacosException {
		doAnswer((invocation) -> {
			Instance instance = invocation.getArgument(2);
			if (!valid.test(instance)) {
				throw new NacosException(NacosException.INVALID_PARAM, REFUSAL);
			}
			this.sent.add(instance);
			return null;
		}).when(this.naming).registerInstance(anyString(), anyString(), any(Instance.class));
	}

	private Instance lastSent() {
		return this.sent.get(this.sent.size() - 1);
	}

	@Test
	void drainSurvivesReadinessFlipsWarmupStepsAndLoadPublications() {
		NacosInstanceReconciler reconciler = reconciler(Duration.ofSeconds(2), Duration.ofSeconds(1));
		reconciler.takeOutOfTraffic(OutOfTrafficReason.READINESS);
		reconciler.register(8080).join();
		reconciler.putBackInTraffic(OutOfTrafficReason.READINESS);
		reconciler.takeOutOfTraffic(OutOfTrafficReason.DRAIN).join();
		int drained = this.sent.size() - 1;
		assertThat(this.sent.get(drained).isEnabled()).isFalse();
		reconciler.takeOutOfTraffic(OutOfTrafficReason.READINESS);
		reconciler.putBackInTraffic(OutOfTrafficReason.READINESS).join();
		reconciler.publishMetadata("nacos.load", "0.42").join();
		// A warm-up step while drained, then the full weight.
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.sent.stream()
				.skip(drained)
				.anyMatch((instance) -> instance.getWeight() > 0.4 && instance.getWeight() < 4));
		await().atMost(Duration.ofSeconds(10)).until(() -> reconciler.isInSync() && lastSent().getWeight() == 4);
		assertThat(this.sent.subList(drained, this.sent.size())).allSatisfy((instance) -> {
			assertThat(instance.isEnabled()).isFalse();
		});
		assertThat(lastSent().getMetadata()).containsEntry("nacos.load", "0.42");
		assertThat(reconciler.outOfTrafficReasons()).containsExactly(OutOfTrafficReason.DRAIN);
		reconciler.putBackInTraffic(OutOfTrafficReason.DRAIN).join();
		assertThat(lastSent().isEnabled()).isTrue();
		assertThat(lastSent().getMetadata()).containsEntry("nacos.load", "0.42");
	}

	@Test
	void intentsFromManyThreadsAreSentOneAtATimeAndTheLastStateWins() throws Exception {
		AtomicInteger inFlight = new AtomicInteger();
		AtomicBoolean overlapped = new AtomicBoolean();
		doAnswer((invocation) -> {
			if (inFlight.incrementAndGet() > 1) {
				overlapped.set(true);
			}
			for (int i = 0; i < 1000; i++) {
				Thread.yield();
			}
			this.sent.add(invocation.getArgument(2));
			inFlight.decrementAndGet();
			return null;
		}).when(this.naming).registerInstance(anyString(), anyString(), any(Instance.class));
		NacosInstanceReconciler reconciler = reconciler();
		reconciler.register(8080).join();
		List<CompletableFuture<Void>> writers = new ArrayList<>();
		ExecutorService threads = Executors.newFixedThreadPool(4);
		for (int writer = 0; writer < 4; writer++) {
			int id = writer;
			writers.add(CompletableFuture.runAsync(() -> {
				for (int i = 0; i < 100; i++) {
					if (id % 2 == 0) {
						if (i % 2 == 0) {
							reconciler.takeOutOfTraffic(
									(id == 0) ? OutOfTrafficReason.DRAIN : OutOfTrafficReason.HEALTH_GROUP);
						}
						else {
							reconciler.putBackInTraffic(
									(id == 0) ? OutOfTrafficReason.DRAIN : OutOfTrafficReason.HEALTH_GROUP);
						}
					}
					else {
						reconciler.publishMetadata("writer-" + id, String.valueOf(i));
					}
				}
			}, threads));
		}
		CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).join();
		threads.shutdown();
		reconciler.takeOutOfTraffic(OutOfTrafficReason.DRAIN).join();
		assertThat(overlapped).isFalse();
		assertThat(reconciler.isInSync()).isTrue();
		assertThat(lastSent().isEnabled()).isFalse();
		assertThat(lastSent().getMetadata()).containsEntry("writer-1", "99").containsEntry("writer-3", "99");
	}

	@Test
	void unreachableServerIsRetriedWithOneWarning(CapturedOutput output) throws Exception {
		AtomicInteger attempts = new AtomicInteger();
		doAnswer((invocation) -> {
			attempts.incrementAndGet();
			throw new NacosException(NacosException.CLIENT_DISCONNECT, "Client not connected");
		}).when(this.naming).registerInstance(anyString(), anyString(), any(Instance.class));
		NacosInstanceReconciler reconciler = reconciler();
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> reconciler.register(8080).join());
		await().atMost(Duration.ofSeconds(5)).until(() -> attempts.get() >= 4);
		assertThat(reconciler.isRegistered()).isFalse();
		reconciler.stop();
		String out = output.getOut();
		assertThat(out.split("Could not register", -1)).hasSize(2);
		assertThat(out).contains("Client not connected").contains("retrying in the background with backoff up to");
		// Only this warning is ours to judge: clients left by other test classes may log
		// their own traces.
		List<String> warningAndNext = out.substring(out.indexOf("Could not register")).lines().limit(2).toList();
		assertThat(warningAndNext).noneMatch((line) -> line.startsWith("\tat ") || line.contains("Exception:"));
	}

	@Test
	void intentsThatChangeNothingDuringAnOutageShareOneFuture() throws Exception {
		// Stubbed once: re-stubbing the mock while the background retries call it is a
		// race in Mockito (UnfinishedStubbingException), so the outage ends by a flag.
		AtomicBoolean outage = new AtomicBoolean(true);
		doAnswer((invocation) -> {
			if (outage.get()) {
				throw new NacosException(NacosException.CLIENT_DISCONNECT, "Client not connected");
			}
			this.sent.add(invocation.getArgument(2));
			return null;
		}).when(this.naming).registerInstance(anyString(), anyString(), any(Instance.class));
		NacosInstanceReconciler reconciler = reconciler();
		reconciler.register(8080);
		CompletableFuture<Void> drained = reconciler.takeOutOfTraffic(OutOfTrafficReason.HEALTH_GROUP);
		// A health check confirming its reason on every interval.
		for (int check = 0; check < 100; check++) {
			assertThat(reconciler.takeOutOfTraffic(OutOfTrafficReason.HEALTH_GROUP)).isSameAs(drained);
		}
		assertThat(drained).isNotDone();
		outage.set(false);
		await().atMost(Duration.ofSeconds(5)).until(drained::isDone);
		assertThat(lastSent().isEnabled()).isFalse();
		reconciler.stop();
	}

	@Test
	void instanceRefusedAsInvalidIsLoggedOnceWithTheServersReasonAndNotRetried(CapturedOutput output) throws Exception {
		accept((instance) -> false);
		NacosInstanceReconciler reconciler = reconciler();
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> reconciler.register(8080).join())
			.withRootCauseInstanceOf(NacosException.class);
		// Dropped from the client's redo, without the metadata that may be what the
		// server refused.
		verify(this.naming).deregisterInstance(eq("orders"), eq("DEFAULT_GROUP"),
				argThat((Instance instance) -> instance.getMetadata().isEmpty()));
		AtomicInteger attempts = new AtomicInteger();
		// Retries would come every 10-40 ms.
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> {
			attempts.set(registerCalls());
			return attempts.get() == 1;
		});
		// A later change tries once more.
		reconciler.takeOutOfTraffic(OutOfTrafficReason.DRAIN);
		await().atMost(Duration.ofSeconds(5)).until(() -> registerCalls() == 2);
		assertThat(reconciler.isRegistered()).isFalse();
		reconciler.stop();
		String out = output.getOut();
		assertThat(out.split("refused to register", -1)).hasSize(2);
		assertThat(out).contains("ERROR").contains(REFUSAL).doesNotContain("retrying in the background");
	}

	private int registerCalls() {
		return (int) org.mockito.Mockito.mockingDetails(this.naming)
			.getInvocations()
			.stream()
			.filter((invocation) -> invocation.getMethod().getName().equals("registerInstance"))
			.count();
	}

	@Test
	void refusedMetadataKeepsTheAcceptedMetadataAndAppliesTheTrafficState(CapturedOutput output) throws Exception {
		accept((instance) -> !instance.getMetadata().containsKey("grown"));
		NacosInstanceReconciler reconciler = reconciler();
		reconciler.takeOutOfTraffic(OutOfTrafficReason.READINESS);
		reconciler.register(8080).join();
		reconciler.publishMetadata("grown", "x".repeat(2000));
		reconciler.putBackInTraffic(OutOfTrafficReason.READINESS).join();
		assertThat(lastSent().isEnabled()).isTrue();
		assertThat(lastSent().getMetadata()).doesNotContainKey("grown");
		// The refused entry is not sent again with the next change: a drain applies.
		int before = registerCalls();
		reconciler.takeOutOfTraffic(OutOfTrafficReason.DRAIN).join();
		assertThat(registerCalls()).isEqualTo(before + 1);
		assertThat(lastSent().isEnabled()).isFalse();
		assertThat(lastSent().getMetadata()).doesNotContainKey("grown");
		verify(this.naming, never()).deregisterInstance(anyString(), anyString(), any(Instance.class));
		assertThat(reconciler.isRegistered()).isTrue();
		String out = output.getOut();
		assertThat(out.split("refused the metadata of", -1)).hasSize(2);
		assertThat(out).contains(REFUSAL).contains("the rest of the update applies");
		reconciler.stop();
	}

	@Test
	void refusedUpdateWhoseMetadataWasAcceptedBeforeRestoresTheAcceptedInstance(CapturedOutput output)
			throws Exception {
		AtomicBoolean refuseAll = new AtomicBoolean();
		accept((instance) -> !refuseAll.get() || instance.isEnabled());
		NacosInstanceReconciler reconciler = reconciler();
		reconciler.register(8080).join();
		refuseAll.set(true);
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> reconciler.takeOutOfTraffic(OutOfTrafficReason.DRAIN).join());
		// The client's redo data went back to what the server holds.
		assertThat(lastSent().isEnabled()).isTrue();
		assertThat(reconciler.isRegistered()).isTrue();
		assertThat(reconciler.isInSync()).isFalse();
		assertThat(output.getOut()).contains("refused an update of").contains("stays registered as it was");
		reconciler.stop();
	}

	@Test
	void backOffGrowsToTheBoundWithJitter() {
		BackOffExecution backOff = NacosInstanceReconciler.backOff(Duration.ofMillis(10), Duration.ofMillis(40))
			.start();
		assertThat(backOff.nextBackOff()).isBetween(10L, 12L);
		assertThat(backOff.nextBackOff()).isBetween(16L, 24L);
		for (int attempt = 3; attempt < 100; attempt++) {
			assertThat(backOff.nextBackOff()).isBetween(32L, 40L);
		}
	}

	@Test
	void stopEndsWhenTheClientNoLongerListsTheInstanceWithoutAnyListenerEvent(CapturedOutput output) throws Exception {
		AtomicBoolean deregistered = new AtomicBoolean();
		doAnswer((invocation) -> {
			deregistered.set(true);
			return null;
		}).when(this.naming).deregisterInstance(anyString(), anyString(), any(Instance.class));
		// The push that removes the instance reaches the client's cache a few reads after
		// the deregistration; no listener event ever comes, as during a JVM shutdown.
		AtomicInteger readsAfterDeregistration = new AtomicInteger();
		when(this.naming.getAllInstances(eq("orders"), eq("DEFAULT_GROUP"), anyList(), eq(true)))
			.thenAnswer((invocation) -> (deregistered.get() && readsAfterDeregistration.incrementAndGet() > 3)
					? List.of() : List.of(self(true)));
		NacosInstanceReconciler reconciler = reconciler(null, Duration.ofSeconds(30));
		reconciler.register(8080).join();
		verify(this.naming).subscribe(eq("orders"), eq("DEFAULT_GROUP"), eq(List.of("DEFAULT")), any());
		reconciler.stop();
		assertThat(readsAfterDeregistration.get()).isGreaterThan(3);
		assertThat(output.getOut()).contains("Deregistered").doesNotContain("did not confirm");
		// In the background, overlapping the rest of the shutdown.
		verify(this.naming, timeout(5000)).unsubscribe(eq("orders"), eq("DEFAULT_GROUP"), eq(List.of("DEFAULT")),
				any());
	}

	@Test
	void stopOfAnInstanceAlreadyHiddenByItsDisableDoesNotWait(CapturedOutput output) throws Exception {
		when(this.naming.getAllInstances(eq("orders"), eq("DEFAULT_GROUP"), anyList(), eq(true)))
			.thenReturn(List.of(self(false)));
		NacosInstanceReconciler reconciler = reconciler(null, Duration.ofSeconds(30));
		reconciler.register(8080).join();
		reconciler.takeOutOfTraffic(OutOfTrafficReason.READINESS).join();
		reconciler.stop();
		verify(this.naming).getAllInstances(eq("orders"), eq("DEFAULT_GROUP"), anyList(), anyBoolean());
		assertThat(output.getOut()).doesNotContain("did not confirm");
	}

	@Test
	void stopGivesUpAfterTheTimeoutWhenTheRemovalIsNeverSeen(CapturedOutput output) throws Exception {
		when(this.naming.getAllInstances(eq("orders"), eq("DEFAULT_GROUP"), anyList(), eq(true)))
			.thenReturn(List.of(self(true)));
		NacosInstanceReconciler reconciler = reconciler(null, Duration.ofMillis(100));
		reconciler.register(8080).join();
		reconciler.stop();
		assertThat(output.getOut()).contains("did not confirm the removal").contains("within PT0.1S");
	}

	@Test
	void stopOfTheLastInstanceDoesNotWaitForAnEmptyPushTheClientIgnores(CapturedOutput output) throws Exception {
		when(this.naming.getAllInstances(eq("orders"), eq("DEFAULT_GROUP"), anyList(), eq(true)))
			.thenReturn(List.of(self(true)));
		NacosInstanceReconciler reconciler = reconciler(null, Duration.ofSeconds(30), true);
		reconciler.register(8080).join();
		reconciler.stop();
		assertThat(output.getOut()).contains("Deregistered").doesNotContain("did not confirm");
	}

	@Test
	void nothingIsSentAfterADeregistrationUntilRegisteredAgain() throws Exception {
		NacosInstanceReconciler reconciler = reconciler();
		reconciler.register(8080).join();
		reconciler.deregister();
		int before = registerCalls();
		reconciler.takeOutOfTraffic(OutOfTrafficReason.DRAIN).join();
		reconciler.publishMetadata("nacos.load", "0.10").join();
		assertThat(registerCalls()).isEqualTo(before);
		assertThat(reconciler.isRegistered()).isFalse();
		reconciler.register(0).join();
		assertThat(lastSent().isEnabled()).isFalse();
		assertThat(lastSent().getMetadata()).containsEntry("nacos.load", "0.10");
		reconciler.stop();
		verify(this.naming, atLeastOnce()).deregisterInstance(anyString(), anyString(), any(Instance.class));
	}

	@Test
	void shutdownIsNotAReasonOthersMaySubmit() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> reconciler().takeOutOfTraffic(OutOfTrafficReason.SHUTDOWN));
	}

	private static Instance self(boolean enabled) {
		Instance instance = new Instance();
		instance.setIp("10.0.0.5");
		instance.setPort(8080);
		instance.setEnabled(enabled);
		return instance;
	}

}
