package dev.nacosboot.testserver;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.testserver.junit.NacosTarget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * gRPC over TLS with a certificate made for the test: a client that trusts it connects, a
 * plain-text client does not.
 */
class TlsIntegrationTests {

	@TempDir
	static Path dir;

	static Path certificate;

	static Path privateKey;

	@BeforeAll
	static void makeCertificate() throws Exception {
		assumeThat(NacosTarget.externalServerAddr(System.getenv())).as("embedded server only").isEmpty();
		Path keyStore = dir.resolve("server.p12");
		Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
				"-genkeypair", "-alias", "nacos", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
				"-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore",
				keyStore.toString(), "-storepass", "changeit")
			.redirectErrorStream(true)
			.start();
		keytool.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
		assertThat(keytool.waitFor()).isZero();
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(keyStore)) {
			store.load(in, "changeit".toCharArray());
		}
		Certificate cert = store.getCertificate("nacos");
		PrivateKey key = (PrivateKey) store.getKey("nacos", "changeit".toCharArray());
		certificate = Files.writeString(dir.resolve("server.crt"), pem("CERTIFICATE", cert.getEncoded()));
		privateKey = Files.writeString(dir.resolve("server.key"), pem("PRIVATE KEY", key.getEncoded()));
	}

	@Test
	void clientTrustingTheCertificateConnectsOverTls() throws Exception {
		try (NacosTestServer server = NacosTestServer.builder().tls(certificate, privateKey).build().start()) {
			Properties properties = properties(server);
			properties.setProperty("nacos.remote.client.rpc.tls.enable", "true");
			properties.setProperty("nacos.remote.client.rpc.tls.trustCollectionChainPath", certificate.toString());
			NamingService naming = NacosFactory.createNamingService(properties);
			try {
				naming.registerInstance("tls-svc", NamingIntegrationTests.instance("10.6.0.1", 443, Map.of()));
				await().atMost(Duration.ofSeconds(10)).until(() -> server.instances("tls-svc").size() == 1);
			}
			finally {
				naming.shutDown();
			}
		}
	}

	@Test
	void plainTextClientCannotTalkToATlsServer() throws Exception {
		try (NacosTestServer server = NacosTestServer.builder().tls(certificate, privateKey).build().start()) {
			Properties properties = properties(server);
			properties.setProperty(PropertyKeyConst.NAMING_REQUEST_DOMAIN_RETRY_COUNT, "1");
			NamingService naming = NacosFactory.createNamingService(properties);
			try {
				assertThatExceptionOfType(NacosException.class).isThrownBy(() -> naming.registerInstance("tls-svc",
						NamingIntegrationTests.instance("10.6.0.2", 443, Map.of())));
				assertThat(server.connections()).isEmpty();
			}
			finally {
				naming.shutDown();
			}
		}
	}

	private static Properties properties(NacosTestServer server) {
		Properties properties = new Properties();
		properties.setProperty(PropertyKeyConst.SERVER_ADDR, server.serverAddr());
		return properties;
	}

	private static String pem(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
				+ "\n-----END " + type + "-----\n";
	}

}
