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
 * Turns a concern's {@link NacosConnectionDetails} plus the shared client settings
 * ({@code spring.cloud.nacos.*} time-outs and extra client keys) into the
 * {@link Properties} that {@code NacosFactory} takes, after validating them.
 * <p>
 * Shared by the starter's packages, not part of its API: it may change in any release.
 */
public final class NacosClientPropertiesFactory {

	// The client's GrpcConstants (not in the shaded jar's public surface) name these
	// keys.
	private static final String GRPC_TIMEOUT = "nacos.remote.client.grpc.timeout";

	// Threads that run a gRPC client's callbacks: the client starts 2 per CPU, more than
	// a
	// control channel of a few requests a second keeps busy. Its queue never fills, so
	// the pool does not grow beyond this.
	private static final String GRPC_POOL_CORE_SIZE = "nacos.remote.client.grpc.pool.core.size";

	private static final String GRPC_SERVER_CHECK_TIMEOUT = "nacos.remote.client.grpc.server.check.timeout";

	static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_\\-.]{1,128}");

	static final String NAMESPACE_REASON = "a namespace id has 1 to 128 letters, digits, '_', '-' or '.'";

	static final String NAMESPACE_FIX = "use the namespace's id (not its display name) as shown in the Nacos console, or leave it unset for the public namespace";

	// Two letters at least, so that a Windows drive ("C:\certs\ca.pem") is taken for a
	// path.
	private static final Pattern RESOURCE_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.\\-]+:");

	private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9\\-.]*[A-Za-z0-9])?");

	private NacosClientPropertiesFactory() {
	}

	/**
	 * Client properties for a concern, validated.
	 * @param details where and how to connect, usually
	 * {@link NacosConnectionDetails#forDiscovery()} or
	 * {@link NacosConnectionDetails#forConfig()}
	 * @param shared the shared client settings (time-outs, extra client keys)
	 * @return new, mutable properties for {@code NacosFactory}; callers may add
	 * concern-specific keys
	 * @throws InvalidNacosPropertiesException when a setting is invalid
	 */
	public static Properties create(NacosConnectionDetails details, NacosProperties shared) {
		NacosPropertyViolations violations = new NacosPropertyViolations();
		validate(details, shared, violations);
		violations.throwIfAny();
		Properties properties = new Properties();
		properties.setProperty(GRPC_POOL_CORE_SIZE, "1");
		shared.getClient().forEach(properties::setProperty);
		String serverAddr = details.getServerAddr();
		put(properties, PropertyKeyConst.SERVER_ADDR, (serverAddr != null) ? normalizeServerAddr(serverAddr) : null);
		put(properties, PropertyKeyConst.ENDPOINT, details.getEndpoint());
		put(properties, PropertyKeyConst.NAMESPACE, trimmed(details.getNamespace()));
		put(properties, PropertyKeyConst.USERNAME, details.getUsername());
		put(properties, PropertyKeyConst.PASSWORD, details.getPassword());
		put(properties, PropertyKeyConst.ACCESS_KEY, details.getAccessKey());
		put(properties, PropertyKeyConst.SECRET_KEY, details.getSecretKey());
		put(properties, PropertyKeyConst.CONTEXT_PATH, details.getContextPath());
		putMillis(properties, GRPC_TIMEOUT, shared.getRequestTimeout());
		putMillis(properties, GRPC_SERVER_CHECK_TIMEOUT, shared.getServerCheckTimeout());
		NacosConnectionDetails.Tls tls = details.getTls();
		if (tls != null) {
			properties.setProperty(RpcConstants.RPC_CLIENT_TLS_ENABLE, "true");
			properties.setProperty(RpcConstants.RPC_CLIENT_TLS_TRUST_ALL, String.valueOf(tls.trustAll()));
			put(properties, RpcConstants.RPC_CLIENT_TLS_TRUST_COLLECTION_CHAIN_PATH,
					resourceLocation(tls.trustCertificates()));
			put(properties, RpcConstants.RPC_CLIENT_TLS_CERT_CHAIN_PATH, resourceLocation(tls.certificateChain()));
			put(properties, RpcConstants.RPC_CLIENT_TLS_CERT_KEY, resourceLocation(tls.privateKey()));
			put(properties, RpcConstants.RPC_CLIENT_TLS_TRUST_PWD, tls.privateKeyPassword());
			put(properties, RpcConstants.RPC_CLIENT_TLS_PROTOCOLS, tls.protocols());
			put(properties, RpcConstants.RPC_CLIENT_TLS_CIPHERS, tls.ciphers());
			if (tls.certificateChain() != null) {
				properties.setProperty(RpcConstants.RPC_CLIENT_MUTUAL_AUTH, "true");
			}
		}
		return properties;
	}

	/**
	 * Where a concern's clients connect, for messages.
	 * @param details the concern's connection details
	 * @return the server list, or the endpoint
	 */
	public static String describeServer(NacosConnectionDetails details) {
		String serverAddr = details.getServerAddr();
		if (serverAddr != null) {
			return serverAddr;
		}
		return (details.getEndpoint() != null) ? "endpoint " + details.getEndpoint()
				: NacosProperties.DEFAULT_SERVER_ADDR;
	}

	/**
	 * Validates a concern's connection details and the shared client settings. Details
	 * built from properties are reported under the property each value came from; other
	 * details under their type's name.
	 * @param details the concern's connection details
	 * @param shared the shared client settings
	 * @param violations where to record invalid settings
	 */
	public static void validate(NacosConnectionDetails details, NacosProperties shared,
			NacosPropertyViolations violations) {
		if (details instanceof PropertiesNacosConnectionDetails properties) {
			validate(properties.shared(), properties.override(), properties.overridePrefix(), violations);
			return;
		}
		String source = NacosConnectionDetails.class.getSimpleName() + " bean";
		if (details.getServerAddr() != null) {
			validateServerAddr(source + " serverAddr", details.getServerAddr(), violations);
		}
		else if (details.getEndpoint() == null) {
			violations.reject(source + " serverAddr", null, "neither a server list nor an endpoint is given",
					"return the server list from getServerAddr(), e.g. 10.0.0.1:8848");
		}
		validateConnection(source + " ", details, violations);
	}

	/**
	 * What the settings of one level cannot show on their own (those are checked where
	 * they are bound): whether the effective username has a password and the effective
	 * access key a secret key, when the shared settings and a concern's own are combined.
	 */
	private static void validate(NacosProperties shared, @Nullable NacosConnectionProperties override,
			String overridePrefix, NacosPropertyViolations violations) {
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
	}

	private static void validateConnection(String source, NacosConnectionDetails details,
			NacosPropertyViolations violations) {
		String namespace = details.getNamespace();
		if (namespace != null && !namespace.isBlank() && !NAMESPACE.matcher(namespace.trim()).matches()) {
			violations.reject(source + "namespace", namespace, NAMESPACE_REASON, NAMESPACE_FIX);
		}
		if (StringUtils.hasText(details.getUsername()) && !StringUtils.hasText(details.getPassword())) {
			violations.reject(source + "password", null, "a username is set without a password",
					"return the password of user '" + details.getUsername() + "' from getPassword()");
		}
		if (StringUtils.hasText(details.getAccessKey()) != StringUtils.hasText(details.getSecretKey())) {
			violations.reject(source + "secretKey", null, "access key and secret key must be given together",
					"return both, or neither");
		}
		NacosConnectionDetails.Tls tls = details.getTls();
		if (tls != null && (tls.certificateChain() == null) != (tls.privateKey() == null)) {
			violations.reject(source + "tls", null, "mutual TLS needs both a certificate chain and its private key",
					"give both, or neither");
		}
	}

	private static void validateServerAddr(String property, String serverAddr, NacosPropertyViolations violations) {
		String problem = serverAddrProblem(serverAddr);
		if (problem != null) {
			violations.reject(property, serverAddr, problem,
					"use a comma-separated list of host:port entries, each optionally prefixed with http:// or https://, e.g. 10.0.0.1:8848,10.0.0.2:8848");
		}
	}

	/**
	 * What is wrong with a server list, if anything.
	 * @param serverAddr comma-separated {@code host:port} entries
	 * @return the first problem, or {@code null} when the list is valid
	 */
	static @Nullable String serverAddrProblem(String serverAddr) {
		if (serverAddr.isBlank()) {
			return "the server list is empty";
		}
		for (String entry : serverAddr.split(",")) {
			String reason = serverEntryProblem(entry.trim());
			if (reason != null) {
				return reason;
			}
		}
		return null;
	}

	static boolean isNamespaceId(String namespace) {
		return NAMESPACE.matcher(namespace.trim()).matches();
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

	private static @Nullable String trimmed(@Nullable String value) {
		return StringUtils.hasText(value) ? value.trim() : null;
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
