package dev.nacosboot.core;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
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
	void closingTheContextShouldCloseItsClientsAndLeaveNoClientThreads() {
		// The client starts some threads once per JVM (notify center, log appenders, gRPC's shared pools): let a
		// first client start them, so that what remains after the context is a per-context leak.
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
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(newThreads(before))
			.as("threads left behind by a closed context").isEmpty());
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
		return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
			.collect(Collectors.toSet());
	}

	private static Properties props(String serverAddr) {
		Properties properties = new Properties();
		properties.setProperty("serverAddr", serverAddr);
		return properties;
	}

}
