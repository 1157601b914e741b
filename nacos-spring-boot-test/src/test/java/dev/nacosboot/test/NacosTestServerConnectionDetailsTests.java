package dev.nacosboot.test;

import java.util.Map;

import dev.nacosboot.testserver.NacosTestServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NacosTestServerConnectionDetailsTests {

	@Test
	void ofServerShouldConnectToItWithoutCredentialsInThePublicNamespace() {
		try (NacosTestServer server = NacosTestServer.builder().build().start()) {
			NacosTestServerConnectionDetails details = NacosTestServerConnectionDetails.of(server);
			assertThat(details.getServerAddr()).isEqualTo(server.serverAddr());
			assertThat(details.getUsername()).isNull();
			assertThat(details.getPassword()).isNull();
			assertThat(details.getNamespace()).isNull();
			assertThat(details.getEndpoint()).isNull();
			assertThat(details.getTls()).isNull();
			assertThat(details.forDiscovery()).isSameAs(details);
			assertThat(details.forConfig()).isSameAs(details);
		}
	}

	@Test
	void externalShouldTakeTheServerAddressAndCredentialsFromTheEnvironment() {
		NacosTestServerConnectionDetails details = NacosTestServerConnectionDetails
			.external(Map.of("NACOS_SERVER_ADDR", " 10.0.0.1:8848,10.0.0.2:8848 ", "NACOS_USERNAME", "nacos",
					"NACOS_PASSWORD", "s3cret"))
			.orElseThrow();
		assertThat(details.getServerAddr()).isEqualTo("10.0.0.1:8848,10.0.0.2:8848");
		assertThat(details.getUsername()).isEqualTo("nacos");
		assertThat(details.getPassword()).isEqualTo("s3cret");
		assertThat(details.getNamespace()).isNull();
	}

	@Test
	void externalWithoutServerAddressShouldBeEmpty() {
		assertThat(NacosTestServerConnectionDetails.external(Map.of("NACOS_USERNAME", "nacos"))).isEmpty();
		assertThat(NacosTestServerConnectionDetails.external(Map.of("NACOS_SERVER_ADDR", " "))).isEmpty();
	}

	@Test
	void externalWithBlankCredentialsShouldHaveNone() {
		NacosTestServerConnectionDetails details = NacosTestServerConnectionDetails
			.external(Map.of("NACOS_SERVER_ADDR", "10.0.0.1:8848", "NACOS_USERNAME", "", "NACOS_PASSWORD", ""))
			.orElseThrow();
		assertThat(details.getUsername()).isNull();
		assertThat(details.getPassword()).isNull();
	}

	@Test
	void withNamespaceShouldKeepServerAndCredentials() {
		NacosTestServerConnectionDetails details = external().withNamespace("orders");
		assertThat(details.getNamespace()).isEqualTo("orders");
		assertThat(details.getServerAddr()).isEqualTo("10.0.0.1:8848");
		assertThat(details.getUsername()).isEqualTo("nacos");
		assertThat(details.getPassword()).isEqualTo("s3cret");
		assertThat(details.withNamespace(" ").getNamespace()).isNull();
		assertThat(details.withNamespace(null).getNamespace()).isNull();
	}

	@Test
	void withCredentialsShouldKeepServerAndNamespace() {
		NacosTestServerConnectionDetails details = external().withNamespace("orders").withCredentials("ops", "pw");
		assertThat(details.getUsername()).isEqualTo("ops");
		assertThat(details.getPassword()).isEqualTo("pw");
		assertThat(details.getNamespace()).isEqualTo("orders");
		assertThat(details.getServerAddr()).isEqualTo("10.0.0.1:8848");
	}

	@Test
	void toStringShouldNameServerNamespaceAndUserButNeverThePassword() {
		assertThat(external().withNamespace("orders"))
			.hasToString("Nacos test connection to 10.0.0.1:8848 (namespace orders, user nacos)");
		assertThat(external().toString()).doesNotContain("s3cret");
	}

	private static NacosTestServerConnectionDetails external() {
		return NacosTestServerConnectionDetails
			.external(
					Map.of("NACOS_SERVER_ADDR", "10.0.0.1:8848", "NACOS_USERNAME", "nacos", "NACOS_PASSWORD", "s3cret"))
			.orElseThrow();
	}

}
