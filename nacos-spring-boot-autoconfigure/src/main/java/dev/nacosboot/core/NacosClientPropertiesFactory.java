package dev.nacosboot.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.common.remote.client.RpcConstants;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * Turns the shared settings ({@code spring.cloud.nacos.*}) plus one concern's overrides
 * (e.g. {@code spring.cloud.nacos.discovery.*}) into the {@link Properties} that
 * {@code NacosFactory} takes, after validating them. An override wins when it is set;
 * otherwise the shared value applies.
 */
public final class NacosClientPropertiesFactory {

	// The client's GrpcConstants (not in the shaded jar's public surface) name these
	// keys.
	private static final String GRPC_TIMEOUT = "nacos.remote.client.grpc.timeout";

	private static final String GRPC_SERVER_CHECK_TIMEOUT = "nacos.remote.client.grpc.server.check.timeout";

	private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_\\-.]{1,128}");

	// Two letters at least, so that a Windows drive ("C:\certs\ca.pem") is taken for a
	// path.
	private static final Pattern RESOURCE_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.\\-]+:");

	private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9\\-.]*[A-Za-z0-9])?");

	private NacosClientPropertiesFactory() {
	}

	/**
	 * Client properties for a concern, validated.
	 * @param shared the shared settings
	 * @param override the concern's overrides, or {@code null} for none
	 * @param overridePrefix the overrides' property prefix, e.g.
	 * {@code spring.cloud.nacos.discovery} (used in error reports)
	 * @return new, mutable properties for {@code NacosFactory}; callers may add
	 * concern-specific keys
	 * @throws InvalidNacosPropertiesException when a setting is invalid
	 */
	public static Properties create(NacosProperties shared, @Nullable NacosConnectionProperties override,
			String overridePrefix) {
		NacosPropertyViolations violations = new NacosPropertyViolations();
		validate(shared, override, overridePrefix, violations);
		violations.throwIfAny();
		Properties properties = new Properties();
		shared.getClient().forEach(properties::setProperty);
		String endpoint = pick(shared, override, NacosConnectionProperties::getEndpoint);
		String serverAddr = pick(shared, override, NacosConnectionProperties::getServerAddr);
		if (serverAddr == null && endpoint == null) {
			serverAddr = NacosProperties.DEFAULT_SERVER_ADDR;
		}
		put(properties, PropertyKeyConst.SERVER_ADDR, (serverAddr != null) ? normalizeServerAddr(serverAddr) : null);
		put(properties, PropertyKeyConst.ENDPOINT, endpoint);
		put(properties, PropertyKeyConst.NAMESPACE, namespaceOf(shared, override));
		put(properties, PropertyKeyConst.USERNAME, pick(shared, override, NacosConnectionProperties::getUsername));
		put(properties, PropertyKeyConst.PASSWORD, pick(shared, override, NacosConnectionProperties::getPassword));
		put(properties, PropertyKeyConst.ACCESS_KEY, pick(shared, override, NacosConnectionProperties::getAccessKey));
		put(properties, PropertyKeyConst.SECRET_KEY, pick(shared, override, NacosConnectionProperties::getSecretKey));
		put(properties, PropertyKeyConst.CONTEXT_PATH,
				pick(shared, override, NacosConnectionProperties::getContextPath));
		putMillis(properties, GRPC_TIMEOUT, shared.getRequestTimeout());
		putMillis(properties, GRPC_SERVER_CHECK_TIMEOUT, shared.getServerCheckTimeout());
		NacosProperties.Tls tls = shared.getTls();
		if (tls.isEnabled()) {
			properties.setProperty(RpcConstants.RPC_CLIENT_TLS_ENABLE, "true");
			properties.setProperty(RpcConstants.RPC_CLIENT_TLS_TRUST_ALL, String.valueOf(tls.isTrustAll()));
			put(properties, RpcConstants.RPC_CLIENT_TLS_TRUST_COLLECTION_CHAIN_PATH,
					resourceLocation(tls.getTrustCertificates()));
			put(properties, RpcConstants.RPC_CLIENT_TLS_CERT_CHAIN_PATH, resourceLocation(tls.getCertificateChain()));
			put(properties, RpcConstants.RPC_CLIENT_TLS_CERT_KEY, resourceLocation(tls.getPrivateKey()));
			put(properties, RpcConstants.RPC_CLIENT_TLS_TRUST_PWD, tls.getPrivateKeyPassword());
			put(properties, RpcConstants.RPC_CLIENT_TLS_PROTOCOLS, tls.getProtocols());
			put(properties, RpcConstants.RPC_CLIENT_TLS_CIPHERS, tls.getCiphers());
			if (tls.getCertificateChain() != null) {
				properties.setProperty(RpcConstants.RPC_CLIENT_MUTUAL_AUTH, "true");
			}
		}
		return properties;
	}

	/**
	 * The effective server list or endpoint of a concern, for messages.
	 * @param shared the shared settings
	 * @param override the concern's overrides, or {@code null}
	 * @return a description of where the client connects
	 */
	public static String describeServer(NacosProperties shared, @Nullable NacosConnectionProperties override) {
		String serverAddr = pick(shared, override, NacosConnectionProperties::getServerAddr);
		String endpoint = pick(shared, override, NacosConnectionProperties::getEndpoint);
		if (serverAddr != null) {
			return serverAddr;
		}
		return (endpoint != null) ? "endpoint " + endpoint : NacosProperties.DEFAULT_SERVER_ADDR;
	}

	/**
	 * Validates the effective settings of a concern.
	 * @param shared the shared settings
	 * @param override the concern's overrides, or {@code null}
	 * @param overridePrefix the overrides' property prefix
	 * @param violations where to record invalid settings
	 */
	public static void validate(NacosProperties shared, @Nullable NacosConnectionProperties override,
			String overridePrefix, NacosPropertyViolations violations) {
		String serverAddrProperty = source(override, overridePrefix, NacosConnectionProperties::getServerAddr)
				+ ".server-addr";
		String serverAddr = pick(shared, override, NacosConnectionProperties::getServerAddr);
		if (serverAddr != null) {
			validateServerAddr(serverAddrProperty, serverAddr, violations);
		}
		String namespace = pick(shared, override, NacosConnectionProperties::getNamespace);
		if (namespace != null && !namespace.isBlank() && !NAMESPACE.matcher(namespace.trim()).matches()) {
			violations.reject(source(override, overridePrefix, NacosConnectionProperties::getNamespace) + ".namespace",
					namespace, "a namespace id has 1 to 128 letters, digits, '_', '-' or '.'",
					"use the namespace's id (not its display name) as shown in the Nacos console, or leave it unset for the public namespace");
		}
		String username = pick(shared, override, NacosConnectionProperties::getUsername);
		String password = pick(shared, override, NacosConnectionProperties::getPassword);
		if (StringUtils.hasText(username) && !StringUtils.hasText(password)) {
			violations.reject(source(override, overridePrefix, NacosConnectionProperties::getUsername) + ".password",
					null, "a username is set without a password",
					"set the password of user '" + username + "', or remove the username when auth is off");
		}
		String accessKey = pick(shared, override, NacosConnectionProperties::getAccessKey);
		String secretKey = pick(shared, override, NacosConnectionProperties::getSecretKey);
		if (StringUtils.hasText(accessKey) != StringUtils.hasText(secretKey)) {
			violations.reject(source(override, overridePrefix, NacosConnectionProperties::getAccessKey) + ".secret-key",
					null, "access-key and secret-key must be set together", "set both, or neither");
		}
		checkPositive(NacosProperties.PREFIX + ".request-timeout", shared.getRequestTimeout(), violations);
		checkPositive(NacosProperties.PREFIX + ".server-check-timeout", shared.getServerCheckTimeout(), violations);
		NacosProperties.Tls tls = shared.getTls();
		if (tls.isEnabled() && (tls.getCertificateChain() == null) != (tls.getPrivateKey() == null)) {
			violations.reject(NacosProperties.PREFIX + ".tls.private-key", null,
					"mutual TLS needs both a certificate chain and its private key",
					"set both spring.cloud.nacos.tls.certificate-chain and spring.cloud.nacos.tls.private-key, or neither");
		}
	}

	private static void validateServerAddr(String property, String serverAddr, NacosPropertyViolations violations) {
		String fix = "use a comma-separated list of host:port entries, each optionally prefixed with http:// or https://, e.g. 10.0.0.1:8848,10.0.0.2:8848";
		if (serverAddr.isBlank()) {
			violations.reject(property, serverAddr, "the server list is empty", fix);
			return;
		}
		for (String entry : serverAddr.split(",")) {
			String reason = serverEntryProblem(entry.trim());
			if (reason != null) {
				violations.reject(property, serverAddr, reason, fix);
				return;
			}
		}
	}

	private static @Nullable String serverEntryProblem(String entry) {
		if (entry.isEmpty()) {
			return "the server list has an empty entry";
		}
		String rest = entry;
		int scheme = rest.indexOf("://");
		if (scheme >= 0) {
			String name = rest.substring(0, scheme);
			if (!name.equalsIgnoreCase("http") && !name.equalsIgnoreCase("https")) {
				return "'" + entry + "' has an unsupported scheme '" + name + "'";
			}
			rest = rest.substring(scheme + 3);
		}
		if (rest.endsWith("/")) {
			rest = rest.substring(0, rest.length() - 1);
		}
		String host = rest;
		String port = null;
		if (rest.startsWith("[")) {
			int close = rest.indexOf(']');
			if (close < 0) {
				return "'" + entry + "' has an unclosed IPv6 bracket";
			}
			host = rest.substring(1, close);
			String after = rest.substring(close + 1);
			if (!after.isEmpty()) {
				if (!after.startsWith(":")) {
					return "'" + entry + "' has text after the IPv6 address";
				}
				port = after.substring(1);
			}
			if (!host.matches("[0-9A-Fa-f:.]+")) {
				return "'" + entry + "' is not a valid IPv6 address";
			}
		}
		else {
			int colon = rest.lastIndexOf(':');
			if (colon >= 0) {
				host = rest.substring(0, colon);
				port = rest.substring(colon + 1);
			}
			if (!HOST.matcher(host).matches()) {
				return "'" + entry + "' is not a valid host name or address";
			}
		}
		if (port != null) {
			int number;
			try {
				number = Integer.parseInt(port);
			}
			catch (NumberFormatException ex) {
				return "'" + entry + "' has a non-numeric port";
			}
			if (number < 1 || number > 65535) {
				return "'" + entry + "' has a port out of range 1-65535";
			}
		}
		return null;
	}

	private static void checkPositive(String property, @Nullable Duration duration,
			NacosPropertyViolations violations) {
		if (duration != null && (duration.isNegative() || duration.isZero())) {
			violations.reject(property, duration, "must be positive",
					"set a positive duration such as 3s, or remove it");
		}
	}

	/**
	 * The client opens TLS files through a resource loader that reads a location without
	 * a scheme, even {@code /etc/nacos/ca.pem}, from the class path; a file system path
	 * is therefore passed as a {@code file:} URL. Locations with a scheme
	 * ({@code classpath:}, {@code file:}) pass unchanged.
	 */
	private static @Nullable String resourceLocation(@Nullable String location) {
		if (!StringUtils.hasText(location) || RESOURCE_SCHEME.matcher(location).lookingAt()) {
			return location;
		}
		return Path.of(location.trim()).toAbsolutePath().toUri().toString();
	}

	private static @Nullable String namespaceOf(NacosProperties shared, @Nullable NacosConnectionProperties override) {
		String namespace = pick(shared, override, NacosConnectionProperties::getNamespace);
		return StringUtils.hasText(namespace) ? namespace.trim() : null;
	}

	private static String normalizeServerAddr(String serverAddr) {
		return StringUtils.trimAllWhitespace(serverAddr);
	}

	private static @Nullable String pick(NacosProperties shared, @Nullable NacosConnectionProperties override,
			Function<NacosConnectionProperties, @Nullable String> getter) {
		if (override != null) {
			String value = getter.apply(override);
			if (value != null) {
				return value;
			}
		}
		return getter.apply(shared);
	}

	private static String source(@Nullable NacosConnectionProperties override, String overridePrefix,
			Function<NacosConnectionProperties, @Nullable String> getter) {
		return (override != null && getter.apply(override) != null) ? overridePrefix : NacosProperties.PREFIX;
	}

	private static void put(Properties properties, String key, @Nullable String value) {
		if (StringUtils.hasText(value)) {
			properties.setProperty(key, value);
		}
	}

	private static void putMillis(Properties properties, String key, @Nullable Duration duration) {
		if (duration != null) {
			properties.setProperty(key, String.valueOf(duration.toMillis()));
		}
	}

}
