package dev.nacosboot.config;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

import com.alibaba.nacos.api.PropertyKeyConst;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * What nacos-client would find around it when it reads a config, checked without loading
 * the client (whose first use costs a cold JVM about a second): the settings and files
 * that make its read differ from a plain HTTP read. Each check errs on the side of "the
 * client must read": a false alarm only costs startup time.
 */
final class ClientEnvironment {

	// Keys and values as nacos-client 3.2 names them (its constants are not loaded here
	// on purpose).
	private static final String TLS_ENABLED = "nacos.remote.client.rpc.tls.enable";

	private static final String OIDC_CLIENT_ID = "nacos.client.auth.oidc.client-id";

	private static final String OIDC_ISSUER = "nacos.client.auth.oidc.issuer-uri";

	private static final String RAM_INFO_PARSING = "nacos.use.ram.info.parsing";

	private static final String SNAPSHOT_PATH = "JM.SNAPSHOT.PATH";

	private static final String CONFIG_FILTER = "com.alibaba.nacos.api.config.filter.IConfigFilter";

	private static final String AUTH_SERVICE = "com.alibaba.nacos.plugin.auth.spi.client.AbstractClientAuthService";

	private static final String SERVER_LIST_PROVIDER = "com.alibaba.nacos.client.address.ServerListProvider";

	/** The extensions nacos-client ships, whose effect an HTTP read reproduces. */
	private static final Set<String> BUILT_IN_EXTENSIONS = Set.of(
			// Decrypts "cipher-" data ids only, which are read by the client.
			"com.alibaba.nacos.client.config.filter.impl.ConfigEncryptionFilter",
			// Username/password login; RAM (AK/SK) and OIDC are recognised by their keys.
			"com.alibaba.nacos.client.auth.impl.NacosClientAuthServiceImpl",
			"com.alibaba.nacos.client.auth.ram.RamClientAuthServiceImpl",
			"com.alibaba.nacos.client.auth.oidc.OidcClientAuthServiceImpl",
			// A fixed server list; the endpoint (address server) is recognised by its
			// key.
			"com.alibaba.nacos.client.address.PropertiesListProvider",
			"com.alibaba.nacos.client.address.EndpointServerListProvider");

	private ClientEnvironment() {
	}

	/**
	 * Why a config client with these properties must read configs itself, or {@code null}
	 * when a read over HTTP gives the same result.
	 * @param properties the properties the config client would be created with
	 * @param classLoader where the client would look for its extensions
	 * @return the reason, for logs
	 */
	static @Nullable String clientOnlyReason(Properties properties, @Nullable ClassLoader classLoader) {
		if (!StringUtils.hasText(properties.getProperty(PropertyKeyConst.SERVER_ADDR))) {
			return "the servers come from an address server (endpoint)";
		}
		if (StringUtils.hasText(properties.getProperty(PropertyKeyConst.ENDPOINT))) {
			return "an address server (endpoint) is set";
		}
		if (Boolean.parseBoolean(properties.getProperty(TLS_ENABLED, value(TLS_ENABLED)))) {
			return "TLS is on (nacos-client's TLS applies to its gRPC connection only)";
		}
		if (StringUtils.hasText(properties.getProperty(PropertyKeyConst.ACCESS_KEY))
				|| StringUtils.hasText(properties.getProperty(PropertyKeyConst.SECRET_KEY))
				|| StringUtils.hasText(properties.getProperty(PropertyKeyConst.RAM_ROLE_NAME))) {
			return "requests are signed (access key or RAM role)";
		}
		if (StringUtils.hasText(properties.getProperty(OIDC_CLIENT_ID))
				|| StringUtils.hasText(properties.getProperty(OIDC_ISSUER))) {
			return "OIDC authentication is set";
		}
		String credentials = ambientCloudCredentials(properties);
		if (credentials != null) {
			return "Alibaba Cloud credentials are available to sign requests (" + credentials + ")";
		}
		File failover = failoverDirectory();
		if (failover != null) {
			return "a local failover directory exists (" + failover + ")";
		}
		String extension = customExtension(classLoader);
		if (extension != null) {
			return "a nacos-client extension is on the class path (" + extension + ")";
		}
		return null;
	}

	/**
	 * Why the client must read this data id itself, or {@code null}.
	 * @param dataId the data id
	 * @return the reason, for logs
	 */
	static @Nullable String clientOnlyReason(String dataId) {
		return dataId.startsWith("cipher-") ? "its data id names an encrypted config ('cipher-')" : null;
	}

	/**
	 * A setting from the JVM's system properties or the process environment, looked up as
	 * nacos-client does ({@code a.b-c} also as {@code a_b_c} and upper case).
	 * @param key the setting
	 * @return its value, or {@code null}
	 */
	static @Nullable String value(String key) {
		String value = System.getProperty(key);
		if (StringUtils.hasText(value)) {
			return value;
		}
		for (String name : List.of(key, key.replace('.', '_'), key.replace('-', '_'),
				key.replace('.', '_').replace('-', '_'))) {
			for (String candidate : List.of(name, name.toUpperCase(Locale.ROOT))) {
				value = System.getenv(candidate);
				if (StringUtils.hasText(value)) {
					return value;
				}
			}
		}
		return null;
	}

	/**
	 * A user-maintained failover directory of nacos-client ({@code {snapshot
	 * root}/nacos/config/*_nacos/data}), whose files the client serves instead of the
	 * server's content. Any such directory counts: which one the client would use depends
	 * on a naming scheme internal to it.
	 */
	static @Nullable File failoverDirectory() {
		String configured = value(SNAPSHOT_PATH);
		return failoverDirectory(List.of((configured != null) ? configured : System.getProperty("user.home", "")));
	}

	/**
	 * A failover directory under one of the client's possible snapshot roots.
	 * @param roots where the client may keep its files ({@code JM.SNAPSHOT.PATH}, the
	 * user's home)
	 * @return the first failover directory found, or {@code null}
	 */
	static @Nullable File failoverDirectory(List<String> roots) {
		for (String root : roots) {
			File[] environments = new File(new File(root, "nacos"), "config")
				.listFiles((dir, name) -> name.endsWith("_nacos"));
			if (environments == null) {
				continue;
			}
			for (File environment : environments) {
				File data = new File(environment, "data");
				if (data.isDirectory()) {
					return data;
				}
			}
		}
		return null;
	}

	/**
	 * Where nacos-client would find Alibaba Cloud credentials of its own when the
	 * properties name none (its "RAM info parsing", on by default).
	 */
	private static @Nullable String ambientCloudCredentials(Properties properties) {
		String parsing = properties.getProperty(PropertyKeyConst.IS_USE_RAM_INFO_PARSING, value(RAM_INFO_PARSING));
		if (parsing != null && !Boolean.parseBoolean(parsing.trim())) {
			return null;
		}
		if (value("spas_accessKey") != null || value("spas.identity") != null) {
			return "spas settings";
		}
		if (ClassLoader.getSystemResource("spas.properties") != null) {
			return "spas.properties";
		}
		for (String path : List.of("/home/admin/.spas_key", "/etc/instanceInfo")) {
			if (new File(path).exists()) {
				return path;
			}
		}
		return null;
	}

	private static @Nullable String customExtension(@Nullable ClassLoader classLoader) {
		ClassLoader loader = (classLoader != null) ? classLoader : ClientEnvironment.class.getClassLoader();
		for (String service : List.of(CONFIG_FILTER, AUTH_SERVICE, SERVER_LIST_PROVIDER)) {
			try {
				Enumeration<URL> files = loader.getResources("META-INF/services/" + service);
				while (files.hasMoreElements()) {
					for (String implementation : implementations(files.nextElement())) {
						if (!BUILT_IN_EXTENSIONS.contains(implementation)) {
							return implementation;
						}
					}
				}
			}
			catch (IOException ex) {
				return "unreadable service files of " + service;
			}
		}
		return null;
	}

	private static List<String> implementations(URL file) throws IOException {
		List<String> names = new ArrayList<>();
		try (InputStream in = file.openStream();
				BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				int comment = line.indexOf('#');
				String name = ((comment >= 0) ? line.substring(0, comment) : line).trim();
				if (!name.isEmpty()) {
					names.add(name);
				}
			}
		}
		return names;
	}

}
