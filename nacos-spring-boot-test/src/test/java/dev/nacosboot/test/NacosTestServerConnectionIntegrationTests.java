package dev.nacosboot.test;

import java.time.Duration;

import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTarget;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@code @SpringBootTest} of an application with a {@code nacos:} import, registration
 * and discovery, on {@link NacosTestServerConnection}: everything connects through the
 * connection details, and no property carries the server's address. With
 * {@code NACOS_SERVER_ADDR} set, the same holds on that Nacos.
 */
@SpringBootTest(classes = NacosTestServerConnectionIntegrationTests.Application.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.application.name=" + NacosTestServerConnectionIntegrationTests.SERVICE,
				"spring.config.import=optional:nacos:" + NacosTestServerConnectionIntegrationTests.DATA_ID + "?group="
						+ NacosTestServerConnectionIntegrationTests.GROUP + "&refresh=true",
				"spring.cloud.nacos.discovery.group=" + NacosTestServerConnectionIntegrationTests.GROUP,
				"spring.cloud.nacos.discovery.ip=127.0.0.1", "spring.jmx.enabled=false" })
@NacosTestServerConnection
class NacosTestServerConnectionIntegrationTests {

	static final String SERVICE = "nacos-spring-boot-test-app";

	static final String GROUP = "NACOS_SPRING_BOOT_TEST";

	static final String DATA_ID = "nacos-spring-boot-test-app.properties";

	/**
	 * Longest wait for something to travel through Nacos; a real server batches pushes.
	 */
	private static final Duration PUSH = Duration.ofSeconds(30);

	@Autowired
	private ConfigurableEnvironment environment;

	@Autowired
	private ObjectProvider<NacosTestServer> server;

	@Autowired
	private NacosConnectionDetails connectionDetails;

	@Autowired
	private ConfigService configService;

	@Autowired
	private DiscoveryClient discoveryClient;

	@LocalServerPort
	private int port;

	@Test
	void noPropertyShouldNameTheServer() {
		for (String name : new String[] { "spring.cloud.nacos.server-addr", "spring.cloud.nacos.discovery.server-addr",
				"spring.cloud.nacos.config.server-addr", "nacos.test-server.server-addr" }) {
			assertThat(this.environment.containsProperty(name)).as(name).isFalse();
		}
		NacosTestServer embedded = this.server.getIfAvailable();
		if (embedded != null) {
			for (PropertySource<?> source : this.environment.getPropertySources()) {
				if (source instanceof EnumerablePropertySource<?> enumerable) {
					for (String name : enumerable.getPropertyNames()) {
						assertThat(String.valueOf(enumerable.getProperty(name))).as("%s in %s", name, source.getName())
							.doesNotContain(embedded.serverAddr());
					}
				}
			}
		}
	}

	@Test
	void connectionDetailsShouldBeTheTestServersOrTheExternalNacos() {
		String external = NacosTarget.externalServerAddr(System.getenv()).orElse(null);
		if (external != null) {
			assertThat(this.server.getIfAvailable()).as("embedded server next to NACOS_SERVER_ADDR").isNull();
			assertThat(this.connectionDetails.getServerAddr()).isEqualTo(external);
			assertThat(this.connectionDetails.getUsername()).isEqualTo(nonBlank(System.getenv("NACOS_USERNAME")));
			assertThat(this.connectionDetails.getPassword()).isEqualTo(nonBlank(System.getenv("NACOS_PASSWORD")));
		}
		else {
			NacosTestServer embedded = this.server.getObject();
			assertThat(embedded.isRunning()).isTrue();
			assertThat(this.connectionDetails.getServerAddr()).isEqualTo(embedded.serverAddr());
		}
	}

	@Test
	void theApplicationShouldRegisterAndDiscoverItselfThroughTheDetails() {
		await().atMost(PUSH)
			.untilAsserted(
					() -> assertThat(this.discoveryClient.getInstances(SERVICE)).extracting(ServiceInstance::getPort)
						.contains(this.port));
		NacosTestServer embedded = this.server.getIfAvailable();
		if (embedded != null) {
			assertThat(embedded.instances(null, GROUP, SERVICE)).singleElement()
				.satisfies((instance) -> assertThat(instance.getPort()).isEqualTo(this.port));
		}
	}

	@Test
	void theConfigImportShouldReadAndWatchThroughTheDetails() throws Exception {
		NacosTestServer embedded = this.server.getIfAvailable();
		if (embedded != null) {
			assertThat(embedded.httpRequestCount("/nacos/v3/client/cs/config")).as("import read at startup")
				.isPositive();
		}
		try {
			assertThat(this.configService.publishConfig(DATA_ID, GROUP, "testmod.greeting=hello", "properties"))
				.isTrue();
			await().atMost(PUSH)
				.untilAsserted(() -> assertThat(this.environment.getProperty("testmod.greeting")).isEqualTo("hello"));
			if (embedded != null) {
				assertThat(embedded.config(null, GROUP, DATA_ID)).contains("testmod.greeting=hello");
				assertThat(embedded.configListeners(null, GROUP, DATA_ID)).isNotEmpty();
			}
		}
		finally {
			this.configService.removeConfig(DATA_ID, GROUP);
		}
	}

	private static String nonBlank(String value) {
		return (value == null || value.isBlank()) ? null : value;
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

	}

}
