package dev.nacosboot.core;

import java.time.Duration;
import java.util.Properties;

import com.alibaba.nacos.api.PropertyKeyConst;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class NacosClientPropertiesFactoryTests {

	private static final String PREFIX = "spring.cloud.nacos.discovery";

	@Test
	void createWithNothingSetShouldUseTheDefaultServer() {
		Properties properties = create(new NacosProperties(), null);
		assertThat(properties).containsEntry(PropertyKeyConst.SERVER_ADDR, "127.0.0.1:8848");
		assertThat(properties).doesNotContainKey(PropertyKeyConst.NAMESPACE);
	}

	@Test
	void createShouldPreferConcernOverridesOverSharedSettings() {
		NacosProperties shared = new NacosProperties();
		shared.setServerAddr("shared:8848");
		shared.setNamespace("shared-ns");
		shared.setUsername("nacos");
		shared.setPassword("secret");
		NacosConnectionProperties override = new NacosConnectionProperties();
		override.setServerAddr("discovery-1:8848, discovery-2:8848");
		override.setNamespace("dev");
		Properties properties = create(shared, override);
		assertThat(properties).containsEntry(PropertyKeyConst.SERVER_ADDR, "discovery-1:8848,discovery-2:8848")
			.containsEntry(PropertyKeyConst.NAMESPACE, "dev")
			.containsEntry(PropertyKeyConst.USERNAME, "nacos")
			.containsEntry(PropertyKeyConst.PASSWORD, "secret");
	}

	@Test
	void createShouldPassTimeoutsTlsAndRawClientProperties() {
		NacosProperties shared = new NacosProperties();
		shared.setRequestTimeout(Duration.ofSeconds(2));
		shared.setServerCheckTimeout(Duration.ofMillis(1500));
		shared.getClient().put("namingPushEmptyProtection", "true");
		shared.getTls().setEnabled(true);
		shared.getTls().setTrustCertificates("/certs/ca.pem");
		Properties properties = create(shared, null);
		assertThat(properties).containsEntry("nacos.remote.client.grpc.timeout", "2000")
			.containsEntry("nacos.remote.client.grpc.server.check.timeout", "1500")
			.containsEntry("namingPushEmptyProtection", "true")
			.containsEntry("nacos.remote.client.rpc.tls.enable", "true")
			.containsEntry("nacos.remote.client.rpc.tls.trustCollectionChainPath", "file:///certs/ca.pem");
	}

	@Test
	void createShouldKeepOneGrpcCallbackThreadUnlessTheClientSettingsSayOtherwise() {
		NacosProperties shared = new NacosProperties();
		assertThat(create(shared, null)).containsEntry("nacos.remote.client.grpc.pool.core.size", "1");
		shared.getClient().put("nacos.remote.client.grpc.pool.core.size", "4");
		assertThat(create(shared, null)).containsEntry("nacos.remote.client.grpc.pool.core.size", "4");
	}

	@Test
	void createShouldPassTlsFilesWithASchemeUnchangedAndPathsAsFileUrls() {
		NacosProperties shared = new NacosProperties();
		shared.getTls().setEnabled(true);
		shared.getTls().setTrustCertificates("classpath:certs/ca.pem");
		shared.getTls().setCertificateChain("file:/etc/nacos/client.pem");
		shared.getTls().setPrivateKey("/etc/nacos/client.key");
		Properties properties = create(shared, null);
		assertThat(properties)
			.containsEntry("nacos.remote.client.rpc.tls.trustCollectionChainPath", "classpath:certs/ca.pem")
			.containsEntry("nacos.remote.client.rpc.tls.certChainFile", "file:/etc/nacos/client.pem")
			.containsEntry("nacos.remote.client.rpc.tls.certPrivateKey", "file:///etc/nacos/client.key");
	}

	@Test
	void createWithEndpointOnlyShouldNotSetTheDefaultServer() {
		NacosProperties shared = new NacosProperties();
		shared.setEndpoint("addressserver.example.com");
		Properties properties = create(shared, null);
		assertThat(properties).doesNotContainKey(PropertyKeyConst.SERVER_ADDR)
			.containsEntry(PropertyKeyConst.ENDPOINT, "addressserver.example.com");
	}

	@ParameterizedTest
	@ValueSource(strings = { "127.0.0.1:8848", "nacos-1.svc:8848,nacos-2.svc:8848", "http://nacos:8848",
			"https://nacos.example.com", "[::1]:8848", "[fd00::12]", "nacos" })
	void createShouldAcceptWellFormedServerAddresses(String serverAddr) {
		NacosProperties shared = new NacosProperties();
		shared.setServerAddr(serverAddr);
		assertThat(create(shared, null)).containsKey(PropertyKeyConst.SERVER_ADDR);
	}

	@Test
	void createShouldRejectUsernameWithoutPasswordWithoutEchoingSecrets() {
		NacosProperties shared = new NacosProperties();
		shared.setUsername("nacos");
		shared.setAccessKey("ak");
		assertThatExceptionOfType(InvalidNacosPropertiesException.class).isThrownBy(() -> create(shared, null))
			.satisfies((ex) -> assertThat(ex.getViolations())
				.extracting(InvalidNacosPropertiesException.Violation::property)
				.containsExactly("spring.cloud.nacos.password", "spring.cloud.nacos.secret-key"))
			.satisfies((ex) -> assertThat(ex.getViolations()).allSatisfy((v) -> assertThat(v.value()).isNull()));
	}

	private static Properties create(NacosProperties shared, @Nullable NacosConnectionProperties discovery) {
		return NacosClientPropertiesFactory
			.create(PropertiesNacosConnectionDetails.of(shared, discovery, null).forDiscovery(), shared);
	}

}
