package dev.nacosboot.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import com.alibaba.nacos.api.common.Constants;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.exception.runtime.NacosRuntimeException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.AbstractFuzzyWatchEventWatcher;
import com.alibaba.nacos.api.naming.listener.FuzzyWatchChangeEvent;
import com.alibaba.nacos.api.naming.listener.FuzzyWatchEventWatcher;
import com.alibaba.nacos.api.naming.pojo.ListView;
import com.alibaba.nacos.api.naming.utils.NamingUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.Mockito.atLeast;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * The service-list view against a naming client whose fuzzy watch is driven by the test:
 * the events the client may deliver (twice, out of order, before the initial list is
 * complete) and the ways a server can refuse to push.
 */
@ExtendWith(OutputCaptureExtension.class)
class NacosServiceListViewTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final NamingService naming = mock(NamingService.class);

	private final Map<String, FuzzyWatchEventWatcher> watchers = new ConcurrentHashMap<>();

	private final Map<String, CompletableFuture<ListView<String>>> initialLists = new ConcurrentHashMap<>();

	private final List<HeartbeatEvent> heartbeats = new CopyOnWriteArrayList<>();

	private final AtomicBoolean connected = new AtomicBoolean(true);

	private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

	private NacosServiceListView view;

	NacosServiceListViewTests() throws NacosException {
		this.scheduler.setPoolSize(2);
		this.scheduler.initialize();
		willAnswer((invocation) -> {
			String group = invocation.getArgument(1);
			this.watchers.put(group, invocation.getArgument(2));
			return this.initialLists.computeIfAbsent(group, (key) -> new CompletableFuture<>());
		}).given(this.naming).fuzzyWatchWithServiceKeys(eq("*"), anyString(), any(FuzzyWatchEventWatcher.class));
	}

	@AfterEach
	void stop() {
		if (this.view != null) {
			this.view.stop();
		}
		this.scheduler.shutdown();
	}

	private NacosServiceListView start(String... groups) {
		this.view = new NacosServiceListView(this.naming, List.of(groups),
				new NacosDiscoveryChanges((event) -> this.heartbeats.add((HeartbeatEvent) event), true),
				this.connected::get, this.scheduler, Duration.ofMillis(100));
		this.view.start();
		return this.view;
	}

	@Test
	void initialListIsPublishedOnceWhenComplete() {
		start("A");
		await().atMost(TIMEOUT).until(() -> this.watchers.containsKey("A"));
		event("A", "orders", Constants.ServiceChangedType.ADD_SERVICE);
		event("A", "payments", Constants.ServiceChangedType.ADD_SERVICE);
		assertThat(this.view.isReady()).isFalse();
		// The client's list may hold a service whose event is still on its way.
		completeInitialList("A", "orders", "payments", "stock");

		await().atMost(TIMEOUT).until(this.view::isReady);
		assertThat(this.view.getServices()).containsExactly("orders", "payments", "stock");
		assertThat(this.heartbeats).hasSize(1);
		assertThat(this.view.getSource()).isEqualTo(NacosServiceListView.Source.FUZZY_WATCH);

		event("A", "stock", Constants.ServiceChangedType.ADD_SERVICE);
		assertThat(this.heartbeats).hasSize(1);
	}

	@Test
	void eachChangePublishesOneEventAndARepeatedEventNone() {
		startAndComplete("A");
		int before = this.heartbeats.size();

		event("A", "orders", Constants.ServiceChangedType.ADD_SERVICE);
		event("A", "orders", Constants.ServiceChangedType.ADD_SERVICE);
		assertThat(this.view.getServices()).containsExactly("orders");
		assertThat(this.heartbeats).hasSize(before + 1);

		event("A", "orders", Constants.ServiceChangedType.DELETE_SERVICE);
		event("A", "orders", Constants.ServiceChangedType.DELETE_SERVICE);
		event("A", "unknown", Constants.ServiceChangedType.DELETE_SERVICE);
		assertThat(this.view.getServices()).isEmpty();
		assertThat(this.heartbeats).hasSize(before + 2);
		assertThat(this.heartbeats.get(before).getValue()).isNotEqualTo(this.heartbeats.get(before + 1).getValue());
	}

	@Test
	void groupsAreMergedInOrderAndAServiceInTwoGroupsIsListedOnce() {
		startAndComplete("A", "B");
		int before = this.heartbeats.size();
		event("B", "alpha", Constants.ServiceChangedType.ADD_SERVICE);
		event("A", "orders", Constants.ServiceChangedType.ADD_SERVICE);
		event("B", "orders", Constants.ServiceChangedType.ADD_SERVICE);
		assertThat(this.view.getServices()).containsExactly("orders", "alpha");
		assertThat(this.heartbeats).hasSize(before + 2);

		event("A", "orders", Constants.ServiceChangedType.DELETE_SERVICE);
		assertThat(this.view.getServices()).containsExactlyInAnyOrder("orders", "alpha");
	}

	@Test
	void readsNeverCallTheServerOnceTheListIsKnown() throws Exception {
		startAndComplete("A");
		event("A", "orders", Constants.ServiceChangedType.ADD_SERVICE);
		for (int i = 0; i < 100; i++) {
			assertThat(this.view.getServices()).containsExactly("orders");
		}
		verify(this.naming, never()).getServicesOfServer(anyInt(), anyInt(), anyString());
	}

	@Test
	void serverWithoutFuzzyWatchIsPolledAndSaysSoOnce(CapturedOutput output) throws Exception {
		willAnswer((invocation) -> {
			throw new NacosRuntimeException(NacosException.SERVER_NOT_IMPLEMENTED, "too low");
		}).given(this.naming).fuzzyWatchWithServiceKeys(anyString(), anyString(), any(FuzzyWatchEventWatcher.class));
		AtomicReference<ListView<String>> listed = new AtomicReference<>(page("orders"));
		willAnswer((invocation) -> listed.get()).given(this.naming).getServicesOfServer(anyInt(), anyInt(), eq("A"));
		start("A");

		assertThat(this.view.getServices()).containsExactly("orders");
		assertThat(this.view.getSource()).isEqualTo(NacosServiceListView.Source.POLLING);
		listed.set(page("orders", "stock"));
		await().atMost(TIMEOUT).until(() -> this.view.getServices().size() == 2);
		assertThat(this.heartbeats).hasSize(2);
		// Polled again and again, with no change no event.
		await().atMost(TIMEOUT)
			.untilAsserted(() -> verify(this.naming, atLeast(4)).getServicesOfServer(anyInt(), anyInt(), eq("A")));
		assertThat(this.heartbeats).hasSize(2);
		assertThat(output.getOut().split("does not push the service list", -1)).hasSize(2);
		assertThat(output).contains("every 100 ms instead (spring.cloud.nacos.discovery.watch-delay)");
	}

	@Test
	void patternLimitOfTheServerSwitchesToPolling(CapturedOutput output) throws Exception {
		given(this.naming.getServicesOfServer(anyInt(), anyInt(), eq("A"))).willReturn(page("orders"));
		startAndComplete("A");
		FuzzyWatchEventWatcher watcher = this.watchers.get("A");

		((AbstractFuzzyWatchEventWatcher) watcher).onPatternOverLimit();

		await().atMost(TIMEOUT).until(() -> this.view.getSource() == NacosServiceListView.Source.POLLING);
		await().atMost(TIMEOUT).until(() -> this.view.getServices().contains("orders"));
		verify(this.naming).cancelFuzzyWatch("A", watcher);
		assertThat(output).contains("nacos.naming.fuzzy.watch.max.pattern.count");
	}

	@Test
	void unreachableServerAtStartDoesNotKeepReadersWaitingAndIsWatchedOnceConnected() {
		this.connected.set(false);
		start("A");
		await().atMost(TIMEOUT).until(this.view::isReady);
		assertThat(this.view.getServices()).isEmpty();
		assertThat(this.watchers).isEmpty();

		this.connected.set(true);
		await().atMost(TIMEOUT).until(() -> this.watchers.containsKey("A"));
		completeInitialList("A", "orders");
		await().atMost(TIMEOUT).until(() -> this.view.getServices().contains("orders"));
		assertThat(this.heartbeats).hasSize(1);
	}

	@Test
	void withoutHeartbeatsChangesAreCountedButNotPublished() {
		NacosDiscoveryChanges changes = new NacosDiscoveryChanges(
				(event) -> this.heartbeats.add((HeartbeatEvent) event), false);
		this.view = new NacosServiceListView(this.naming, List.of("A"), changes, this.connected::get, this.scheduler,
				Duration.ofMillis(100));
		this.view.start();
		await().atMost(TIMEOUT).until(() -> this.watchers.containsKey("A"));
		completeInitialList("A");
		await().atMost(TIMEOUT).until(this.view::isReady);
		event("A", "orders", Constants.ServiceChangedType.ADD_SERVICE);

		assertThat(this.view.getServices()).containsExactly("orders");
		assertThat(changes.count()).isEqualTo(1);
		assertThat(this.heartbeats).isEmpty();
	}

	@Test
	void stopCancelsTheWatches() throws Exception {
		startAndComplete("A", "B");
		this.view.stop();
		verify(this.naming).cancelFuzzyWatch("A", this.watchers.get("A"));
		verify(this.naming).cancelFuzzyWatch("B", this.watchers.get("B"));
		assertThat(this.view.isRunning()).isFalse();
	}

	private void startAndComplete(String... groups) {
		start(groups);
		for (String group : groups) {
			await().atMost(TIMEOUT).until(() -> this.watchers.containsKey(group));
			completeInitialList(group);
		}
		await().atMost(TIMEOUT).until(this.view::isReady);
	}

	private void completeInitialList(String group, String... services) {
		ListView<String> list = new ListView<>();
		list.setData(java.util.Arrays.stream(services)
			.map((service) -> NamingUtils.getServiceKey("public", group, service))
			.toList());
		list.setCount(services.length);
		this.initialLists.get(group).complete(list);
	}

	private void event(String group, String service, String type) {
		this.watchers.get(group)
			.onEvent(new FuzzyWatchChangeEvent(service, group, "public", type, Constants.FUZZY_WATCH_RESOURCE_CHANGED));
	}

	private static ListView<String> page(String... services) {
		ListView<String> page = new ListView<>();
		page.setData(List.of(services));
		page.setCount(services.length);
		return page;
	}

}
