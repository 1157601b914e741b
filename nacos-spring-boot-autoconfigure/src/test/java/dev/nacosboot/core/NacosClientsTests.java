package dev.nacosboot.core;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

class NacosClientsTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	@Test
	void namingServiceShouldBeSharedForEqualPropertiesAndSeparateOtherwise() throws Exception {
		NacosClients.ClientFactory factory = mock(NacosClients.ClientFactory.class);
		when(factory.createNamingService(any())).thenAnswer((invocation) -> mock(NamingService.class));
		try (NacosClients clients = new NacosClients(factory)) {
			NamingService first = clients.namingService(props("a:8848"));
			assertThat(clients.namingService(props("a:8848"))).isSameAs(first);
			assertThat(clients.namingService(props("b:8848"))).isNotSameAs(first);
		}
	}

	@Test
	void creatingAClientHoldsNeitherReadersNorOtherCallersOfTheOwner() throws Exception {
		CountDownLatch creating = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		ConfigService config = mock(ConfigService.class);
		NacosClients.ClientFactory factory = mock(NacosClients.ClientFactory.class);
		when(factory.createConfigService(any())).thenAnswer((invocation) -> {
			creating.countDown();
			release.await(30, TimeUnit.SECONDS);
			return config;
		});
		when(factory.createNamingService(any())).thenAnswer((invocation) -> mock(NamingService.class));
		try (NacosClients clients = new NacosClients(factory)) {
			CompletableFuture<ConfigService> first = CompletableFuture
				.supplyAsync(() -> clients.configService(props("a:8848")));
			CompletableFuture<ConfigService> second = CompletableFuture.supplyAsync(() -> {
				await().until(() -> creating.getCount() == 0);
				return clients.configService(props("a:8848"));
			});
			assertThat(creating.await(30, TimeUnit.SECONDS)).isTrue();
			// While the config client is being created: reads answer, other clients are
			// created.
			assertThat(clients.configServiceIfCreated(props("a:8848"))).isNull();
			assertThat(clients.ifOpen(() -> "open", "closed")).isEqualTo("open");
			assertThat(clients.namingService(props("a:8848"))).isNotNull();
			release.countDown();
			assertThat(first.get(30, TimeUnit.SECONDS)).isSameAs(config);
			assertThat(second.get(30, TimeUnit.SECONDS)).isSameAs(config);
			assertThat(clients.configServiceIfCreated(props("a:8848"))).isSameAs(config);
			verify(factory).createConfigService(any());
		}
	}

	@Test
	void aClientWhoseCreationEndsAfterCloseIsShutDown() throws Exception {
		CountDownLatch creating = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		NamingService naming = mock(NamingService.class);
		NacosClients.ClientFactory factory = mock(NacosClients.ClientFactory.class);
		when(factory.createNamingService(any())).thenAnswer((invocation) -> {
			creating.countDown();
			release.await(30, TimeUnit.SECONDS);
			return naming;
		});
		NacosClients clients = new NacosClients(factory);
		CompletableFuture<NamingService> creation = CompletableFuture
			.supplyAsync(() -> clients.namingService(props("a:8848")));
		assertThat(creating.await(30, TimeUnit.SECONDS)).isTrue();
		clients.close();
		release.countDown();
		assertThat(creation).failsWithin(Duration.ofSeconds(30));
		verify(naming).shutDown();
	}

	@Test
	void closeShouldShutDownEveryClientOnceAndRefuseNewOnes() throws Exception {
		NacosClients.ClientFactory factory = mock(NacosClients.ClientFactory.class);
		NamingService naming = mock(NamingService.class);
		ConfigService config = mock(ConfigService.class);
		AutoCloseable other = mock(AutoCloseable.class);
		when(factory.createNamingService(any())).thenReturn(naming);
		when(factory.createConfigService(any())).thenReturn(config);
		NacosClients clients = new NacosClients(factory);
		clients.namingService(props("a:8848"));
		clients.configService(props("a:8848"));
		clients.closeWithThis(other);
		clients.close();
		clients.close();
		verify(naming).shutDown();
		verify(config).shutDown();
		verify(other).close();
		assertThatIllegalStateException().isThrownBy(() -> clients.namingService(props("a:8848")));
	}

	@Test
	void ifOpenShouldHoldCloseOffUntilTheActionReturnsAndNotRunOnceClosed() throws Exception {
		NacosClients.ClientFactory factory = mock(NacosClients.ClientFactory.class);
		ConfigService config = mock(ConfigService.class);
		when(factory.createConfigService(any())).thenReturn(config);
		NacosClients clients = new NacosClients(factory);
		clients.configService(new Properties());
		CountDownLatch inAction = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Thread action = new Thread(() -> clients.ifOpen(() -> {
			inAction.countDown();
			await().until(() -> release.getCount() == 0);
			return true;
		}, false));
		action.start();
		assertThat(inAction.await(10, TimeUnit.SECONDS)).isTrue();
		Thread closer = new Thread(clients::close);
		closer.start();
		// close() waits for the action: the client is not shut down under it.
		await().until(() -> closer.getState() == Thread.State.BLOCKED);
		verify(config, never()).shutDown();
		release.countDown();
		closer.join(10_000);
		action.join(10_000);
		verify(config).shutDown();
		assertThat(clients.ifOpen(() -> {
			throw new AssertionError("ran on closed clients");
		}, "closed")).isEqualTo("closed");
	}

	@Test
	void closingTheContextShouldCloseItsClientsAndLeaveNoClientThreads() {
		// The client starts some threads once per JVM (notify center, log appenders,
		// gRPC's shared pools): let a
		// first client start them, so that what remains after the context is a
		// per-context leak.
		try (NacosClients warmup = new NacosClients()) {
			NamingService naming = warmup.namingService(nacos.target().clientProperties());
			await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(naming.getServerStatus()));
		}
		Set<String> before = liveThreadNames();
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(NacosCoreAutoConfiguration.class))
			.run((context) -> {
				NacosClients clients = context.getBean(NacosClients.class);
				Properties properties = nacos.target().clientProperties();
				NamingService naming = clients.namingService(properties);
				await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(naming.getServerStatus()));
				assertThat(liveThreadNames()).isNotEqualTo(before);
			});
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(
					() -> assertThat(newThreads(before)).as("threads left behind by a closed context").isEmpty());
	}

	private static List<String> newThreads(Set<String> before) {
		return liveThreadNames().stream()
			.filter((name) -> !before.contains(name))
			.filter((name) -> !JVM_WIDE.stream().anyMatch(name::startsWith))
			.sorted()
			.toList();
	}

	private static final List<String> JVM_WIDE = List.of("awaitility", "nacos-test-server", "grpc-shared-destroyer",
			"ForkJoinPool", "Attach Listener");

	private static Set<String> liveThreadNames() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter(Thread::isAlive)
			.map(Thread::getName)
			.collect(Collectors.toSet());
	}

	private static Properties props(String serverAddr) {
		Properties properties = new Properties();
		properties.setProperty("serverAddr", serverAddr);
		return properties;
	}

}
