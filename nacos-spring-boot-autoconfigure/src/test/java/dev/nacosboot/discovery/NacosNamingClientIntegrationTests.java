package dev.nacosboot.discovery;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.core.NacosClients;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The naming client is not created on the path to ready: not while the context starts nor
 * while its lifecycle beans start, but on the starter's scheduler once the application is
 * ready, or by the first call that needs it (an application runner's discovery call
 * included).
 */
class NacosNamingClientIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	static NamingService provider;

	static String group;

	@BeforeAll
	static void registerAProvider() throws Exception {
		group = nacos.target().unique("lazy");
		provider = NacosFactory.createNamingService(nacos.target().clientProperties());
		provider.registerInstance("early", group, "127.0.0.1", 9811);
	}

	@AfterAll
	static void stop() throws Exception {
		provider.shutDown();
	}

	@Test
	void theClientIsCreatedOnTheStartersSchedulerOnceTheApplicationIsReady() {
		Recorder recorder = new Recorder();
		try (ConfigurableApplicationContext app = start(recorder, Recording.class)) {
			assertThat(recorder.createdWhenSingletonsWereReady).hasValue(0);
			assertThat(recorder.createdWhenStarted).hasValue(0);
			await().until(() -> recorder.namingThreads.size() == 1);
			assertThat(recorder.namingThreads).allMatch((thread) -> thread.startsWith("nacos-"));
			await().untilAsserted(() -> assertThat(app.getBean(NamingConnectionState.class).isConnected()).isTrue());
			assertThat(app.getBean(DiscoveryClient.class).getInstances("early")).hasSize(1);
			assertThat(recorder.namingThreads).hasSize(1);
		}
	}

	@Test
	void aDiscoveryCallBeforeReadyCreatesTheClientOnDemand() {
		Recorder recorder = new Recorder();
		try (ConfigurableApplicationContext app = start(recorder, Recording.class, EarlyCaller.class)) {
			List<ServiceInstance> early = app.getBean(EarlyCaller.class).instances;
			assertThat(early).extracting(ServiceInstance::getPort).containsExactly(9811);
			// Whichever came first, the runner's call or the background creation, one
			// client serves both.
			assertThat(recorder.namingThreads).hasSize(1);
		}
	}

	private static ConfigurableApplicationContext start(Recorder recorder, Class<?>... sources) {
		return new SpringApplicationBuilder(TestApps.ConsumerApplication.class).sources(sources)
			.web(WebApplicationType.NONE)
			.initializers((context) -> context.getBeanFactory().registerSingleton("recorder", recorder))
			// After every lifecycle bean started, just before ready.
			.listeners(
					(ApplicationStartedEvent event) -> recorder.createdWhenStarted.set(recorder.namingThreads.size()))
			.properties(TestApps.common(nacos.target(), group))
			.properties("spring.application.name=consumer", "spring.cloud.nacos.discovery.register-enabled=false")
			.run();
	}

	static class Recorder implements NacosClients.ClientFactory {

		final List<String> namingThreads = new CopyOnWriteArrayList<>();

		final AtomicInteger createdWhenSingletonsWereReady = new AtomicInteger(-1);

		final AtomicInteger createdWhenStarted = new AtomicInteger(-1);

		@Override
		public NamingService createNamingService(Properties properties) throws NacosException {
			this.namingThreads.add(Thread.currentThread().getName());
			return NacosClients.ClientFactory.NACOS.createNamingService(properties);
		}

		@Override
		public ConfigService createConfigService(Properties properties) throws NacosException {
			return NacosClients.ClientFactory.NACOS.createConfigService(properties);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Recording {

		@Bean
		NacosClients nacosClients(Recorder recorder) {
			return new NacosClients(recorder);
		}

		@Bean
		SmartInitializingSingleton singletonsReady(Recorder recorder) {
			return () -> recorder.createdWhenSingletonsWereReady.set(recorder.namingThreads.size());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class EarlyCaller {

		List<ServiceInstance> instances = List.of();

		@Bean
		ApplicationRunner callDiscoveryBeforeReady(DiscoveryClient discovery) {
			return (args) -> this.instances = discovery.getInstances("early");
		}

	}

}
