package dev.nacosboot.config;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import com.alibaba.nacos.api.PropertyKeyConst;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When nacos-client must read a config itself because an HTTP read would not give the
 * same result.
 */
class ClientEnvironmentTests {

	private final ClassLoader classLoader = getClass().getClassLoader();

	@Test
	void plainServerListWithOrWithoutCredentialsIsReadOverHttp() {
		Properties properties = properties();
		assertThat(ClientEnvironment.clientOnlyReason(properties, this.classLoader)).isNull();

		properties.setProperty(PropertyKeyConst.USERNAME, "nacos");
		properties.setProperty(PropertyKeyConst.PASSWORD, "secret");
		properties.setProperty(PropertyKeyConst.CONTEXT_PATH, "/nacos");
		properties.setProperty(PropertyKeyConst.NAMESPACE, "dev");
		assertThat(ClientEnvironment.clientOnlyReason(properties, this.classLoader)).isNull();
	}

	@Test
	void addressServerNeedsTheClient() {
		Properties withEndpoint = properties();
		withEndpoint.setProperty(PropertyKeyConst.ENDPOINT, "address.example");
		Properties onlyEndpoint = new Properties();
		onlyEndpoint.setProperty(PropertyKeyConst.ENDPOINT, "address.example");

		assertThat(ClientEnvironment.clientOnlyReason(withEndpoint, this.classLoader)).contains("endpoint");
		assertThat(ClientEnvironment.clientOnlyReason(onlyEndpoint, this.classLoader)).contains("endpoint");
	}

	@Test
	void tlsNeedsTheClient() {
		Properties properties = properties();
		properties.setProperty("nacos.remote.client.rpc.tls.enable", "true");

		assertThat(ClientEnvironment.clientOnlyReason(properties, this.classLoader)).contains("TLS");
	}

	@Test
	void signedRequestsNeedTheClient() {
		for (String key : List.of(PropertyKeyConst.ACCESS_KEY, PropertyKeyConst.SECRET_KEY,
				PropertyKeyConst.RAM_ROLE_NAME)) {
			Properties properties = properties();
			properties.setProperty(key, "value");

			assertThat(ClientEnvironment.clientOnlyReason(properties, this.classLoader)).as(key).contains("signed");
		}
	}

	@Test
	void oidcNeedsTheClient() {
		Properties properties = properties();
		properties.setProperty("nacos.client.auth.oidc.client-id", "app");

		assertThat(ClientEnvironment.clientOnlyReason(properties, this.classLoader)).contains("OIDC");
	}

	@Test
	void cloudCredentialsOfTheEnvironmentNeedTheClientUnlessTheirParsingIsOff() {
		Properties properties = properties();
		System.setProperty("spas_accessKey", "ambient");
		try {
			assertThat(ClientEnvironment.clientOnlyReason(properties, this.classLoader)).contains("Alibaba Cloud");
			properties.setProperty(PropertyKeyConst.IS_USE_RAM_INFO_PARSING, "false");
			assertThat(ClientEnvironment.clientOnlyReason(properties, this.classLoader)).isNull();
		}
		finally {
			System.clearProperty("spas_accessKey");
		}
	}

	@Test
	void encryptedDataIdNeedsTheClient() {
		assertThat(ClientEnvironment.clientOnlyReason("cipher-aes-db.properties")).contains("cipher-");
		assertThat(ClientEnvironment.clientOnlyReason("db.properties")).isNull();
	}

	@Test
	void failoverDirectoryUnderTheSnapshotRootIsFound(@TempDir Path root) throws IOException {
		Path environment = Files.createDirectories(root.resolve("nacos/config/Config-fixed-127.0.0.1_8848_nacos"));
		Files.createDirectories(environment.resolve("snapshot"));
		assertThat(ClientEnvironment.failoverDirectory(List.of(root.toString()))).isNull();

		Files.createDirectories(environment.resolve("data/config-data/G"));

		assertThat(ClientEnvironment.failoverDirectory(List.of(root.toString())))
			.isEqualTo(environment.resolve("data").toFile());
	}

	@Test
	void extensionsOtherThanTheClientsOwnNeedTheClient(@TempDir Path classes) throws IOException {
		Path services = Files.createDirectories(classes.resolve("META-INF/services"));
		Files.writeString(services.resolve("com.alibaba.nacos.api.config.filter.IConfigFilter"),
				"# the client's own\ncom.alibaba.nacos.client.config.filter.impl.ConfigEncryptionFilter\n");
		try (URLClassLoader builtIn = new URLClassLoader(new URL[] { classes.toUri().toURL() }, null)) {
			assertThat(ClientEnvironment.clientOnlyReason(properties(), builtIn)).isNull();
		}

		Files.writeString(services.resolve("com.alibaba.nacos.client.address.ServerListProvider"),
				"com.example.CmdbServerListProvider # custom\n");

		try (URLClassLoader custom = new URLClassLoader(new URL[] { classes.toUri().toURL() }, null)) {
			assertThat(ClientEnvironment.clientOnlyReason(properties(), custom))
				.contains("com.example.CmdbServerListProvider");
		}
	}

	@Test
	void settingsAreLookedUpAsTheClientDoes() {
		System.setProperty("nacos.test.lookup-key", "from-jvm");
		try {
			assertThat(ClientEnvironment.value("nacos.test.lookup-key")).isEqualTo("from-jvm");
		}
		finally {
			System.clearProperty("nacos.test.lookup-key");
		}
		assertThat(ClientEnvironment.value("nacos.test.lookup-key")).isNull();
		String path = System.getenv("PATH");
		assertThat(ClientEnvironment.value("path")).isEqualTo(path);
	}

	private static Properties properties() {
		Properties properties = new Properties();
		properties.setProperty(PropertyKeyConst.SERVER_ADDR, "127.0.0.1:8848");
		return properties;
	}

}
