package dev.nacosboot.reliability;

import java.time.Duration;

import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The server speaks gRPC over TLS only: an application configured with
 * {@code spring.cloud.nacos.tls.*} and the server's certificate registers, discovers and
 * imports config; one without TLS settings fails startup (fail-fast) with a report
 * instead of waiting. Needs the embedded server (a certificate made for the test).
 */
@ExtendWith(OutputCaptureExtension.class)
class TlsIntegrationTests {

	private static final TestCertificate certificate = new TestCertificate();

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension(
			(builder) -> builder.tls(certificate.certificate(), certificate.privateKey()));

	@AfterAll
	static void removeCertificate() throws Exception {
		certificate.close();
	}

	@Test
	void applicationWithTlsPropertiesRegistersDiscoversAndImportsConfigOverTls() {
		NacosTestServer server = nacos.target().server();
		String group = nacos.target().unique("tls");
		String service = nacos.target().unique("tls-provider");
		String dataId = service + ".properties";
		server.publishConfig(null, group, dataId, "reliability.channel=tls", "properties");
		String trust = "spring.cloud.nacos.tls.trust-certificates=" + certificate.certificate();
		try (ConfigurableApplicationContext provider = TestApps.provider(nacos.target(), group, service,
				"spring.cloud.nacos.tls.enabled=true", trust, "spring.cloud.nacos.discovery.fail-fast=true",
				"spring.config.import=nacos:" + dataId + "?group=" + group);
				ConfigurableApplicationContext consumer = ReliabilityApps.consumer(nacos.target(), group,
						"spring.cloud.nacos.tls.enabled=true", trust)) {
			assertThat(provider.getEnvironment().getProperty("reliability.channel")).isEqualTo("tls");
			assertThat(server.instances(null, group, service)).hasSize(1);
			DiscoveryClient discovery = consumer.getBean(DiscoveryClient.class);
			await().atMost(Duration.ofSeconds(20)).until(() -> discovery.getInstances(service).size() == 1);
			assertThat(ReliabilityApps.ping(consumer, service)).isEqualTo("pong");
			assertThat(server.connections()).isNotEmpty();
		}
	}

	@Test
	void applicationWithoutTlsSettingsFailsStartupWithAReportInsteadOfWaiting(CapturedOutput output) {
		NacosTestServer server = nacos.target().server();
		String group = nacos.target().unique("plain");
		String service = nacos.target().unique("plain-provider");
		long started = System.nanoTime();
		// A guard against a hang, not a timing assertion: the figure is printed below.
		assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatException().isThrownBy(() -> TestApps
			.provider(nacos.target(), group, service, "spring.cloud.nacos.discovery.fail-fast=true")));
		System.out.printf("[figures] plain-text application against a TLS server: startup failed after %d ms%n",
				(System.nanoTime() - started) / 1_000_000);
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains(server.serverAddr())
			.contains("spring.cloud.nacos.tls.enabled");
		assertThat(server.instances(null, group, service)).isEmpty();
	}

}
