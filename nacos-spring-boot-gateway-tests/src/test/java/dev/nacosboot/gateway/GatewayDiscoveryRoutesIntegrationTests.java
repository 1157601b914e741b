package dev.nacosboot.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.nacosboot.discovery.NacosServiceListView;
import dev.nacosboot.registry.NacosAutoServiceRegistration;
import dev.nacosboot.registry.NacosRegistration;
import dev.nacosboot.registry.NacosServiceRegistry;
import dev.nacosboot.test.NacosTestServerConnectionInitializer;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spring Cloud Gateway's discovery locator
 * ({@code spring.cloud.gateway.server.webflux.discovery.locator.enabled=true}) on this
 * starter: a service that registers after the gateway is up gets its
 * {@code /<service-id>/**} route as soon as the server pushes the new service, and loses
 * it when its last instance goes away. Outcomes are asserted; the times are printed.
 */
class GatewayDiscoveryRoutesIntegrationTests {

	/** Longest wait for a change to travel through Nacos to the gateway. */
	private static final Duration PUSH = Duration.ofSeconds(30);

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static String group;

	private static ConfigurableApplicationContext gateway;

	@BeforeAll
	static void startGateway() {
		group = nacos.target().unique("gw-discovery") + "-" + System.nanoTime();
		gateway = application(Gateway.class).web(WebApplicationType.REACTIVE)
			.properties("spring.application.name=gateway", "server.port=0",
					"spring.cloud.nacos.discovery.register-enabled=false",
					"spring.cloud.gateway.server.webflux.discovery.locator.enabled=true")
			.run();
		await().atMost(PUSH).until(() -> gateway.getBean(NacosServiceListView.class).isReady());
	}

	@AfterAll
	static void stopGateway() {
		if (gateway != null) {
			gateway.close();
		}
	}

	@Test
	void serviceRegisteredAfterTheGatewayStartedIsRoutedByItsServiceId() throws Exception {
		String service = nacos.target().unique("gw-new");
		assertThat(status(service)).as("no route before the service exists").isEqualTo(404);

		try (ConfigurableApplicationContext provider = provider(service)) {
			NacosAutoServiceRegistration registration = provider.getBean(NacosAutoServiceRegistration.class);
			await().atMost(PUSH).pollInterval(Duration.ofMillis(1)).until(registration::isRegistered);
			long started = System.nanoTime();
			AtomicLong routeSeen = new AtomicLong();
			await().atMost(PUSH).pollInterval(Duration.ofMillis(5)).until(() -> {
				long call = System.nanoTime();
				int status = status(service);
				if (status != 404) {
					routeSeen.compareAndSet(0, call);
				}
				return status == 200;
			});
			long answered = System.nanoTime();
			assertThat(body(service)).isEqualTo(service + "@" + port(provider));
			System.out.printf(
					"[figures] gateway discovery route: after the new service registered, route in %d ms,"
							+ " first answer through /%s/** in %d ms (%s)%n",
					(routeSeen.get() - started) / 1_000_000, service, (answered - started) / 1_000_000, nacos.target());
		}
	}

	@Test
	void serviceWhoseLastInstanceLeavesLosesItsRoute() throws Exception {
		String service = nacos.target().unique("gw-leaving");
		ConfigurableApplicationContext first = provider(service);
		ConfigurableApplicationContext second = provider(service);
		await().atMost(PUSH).until(() -> status(service) == 200);

		first.close();
		await().atMost(PUSH).until(() -> body(service).equals(service + "@" + port(second)));
		assertThat(status(service)).as("route kept while an instance is left").isEqualTo(200);

		long start = System.nanoTime();
		second.getBean(NacosServiceRegistry.class).deregister(second.getBean(NacosRegistration.class));
		await().atMost(PUSH).pollInterval(Duration.ofMillis(5)).until(() -> status(service) == 404);
		System.out.printf(
				"[figures] gateway discovery route: removed %d ms after the last instance deregistered (%s)%n",
				(System.nanoTime() - start) / 1_000_000, nacos.target());
		second.close();
	}

	private static int status(String service) throws Exception {
		return call(service).statusCode();
	}

	private static String body(String service) throws Exception {
		return call(service).body();
	}

	private static HttpResponse<String> call(String service) throws Exception {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port(gateway) + "/" + service + "/instance"))
			.timeout(Duration.ofSeconds(10))
			.build();
		return http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private static ConfigurableApplicationContext provider(String service) {
		return application(Provider.class).web(WebApplicationType.REACTIVE)
			.properties("spring.application.name=" + service, "server.port=0",
					"spring.cloud.gateway.server.webflux.enabled=false")
			.run();
	}

	/**
	 * An application of these tests: connected to the class's Nacos through its
	 * connection details (no server address property), registered in the class's group on
	 * the loopback address.
	 */
	private static SpringApplicationBuilder application(Class<?> source) {
		return new SpringApplicationBuilder(source)
			.addBootstrapRegistryInitializer(NacosTestServerConnectionInitializer.of(nacos.target()))
			.properties("spring.cloud.nacos.discovery.group=" + group, "spring.cloud.nacos.discovery.ip=127.0.0.1",
					"spring.jmx.enabled=false", "logging.level.com.alibaba.nacos=warn");
	}

	private static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@RestController
	static class Provider {

		private final Environment environment;

		Provider(Environment environment) {
			this.environment = environment;
		}

		/**
		 * Event loops of its own: the JVM-wide ones, which the gateway uses as well, are
		 * disposed when a context that uses them closes.
		 */
		@Bean
		ReactorResourceFactory reactorResourceFactory() {
			ReactorResourceFactory factory = new ReactorResourceFactory();
			factory.setUseGlobalResources(false);
			return factory;
		}

		@GetMapping("/instance")
		String instance() {
			return this.environment.getProperty("spring.application.name") + "@"
					+ this.environment.getProperty("local.server.port");
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Gateway {

	}

}
