package dev.nacosboot.testserver.junit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import com.alibaba.nacos.api.PropertyKeyConst;
import dev.nacosboot.testserver.NacosTestServer;
import org.junit.jupiter.api.Assumptions;

/**
 * Where a test class's clients connect: the embedded {@link NacosTestServer}, or an
 * external real Nacos when the environment variable {@code NACOS_SERVER_ADDR} is set
 * (with {@code NACOS_USERNAME} / {@code NACOS_PASSWORD} when auth is on there). Against
 * an external server every test class gets its own namespace and group, so runs never see
 * each other's data.
 */
public final class NacosTarget {

	/** Environment variable naming an external Nacos ({@code host:port}). */
	public static final String SERVER_ADDR_ENV = "NACOS_SERVER_ADDR";

	private final NacosTestServer embedded;

	private final String externalAddr;

	private final String username;

	private final String password;

	private final String runId = UUID.randomUUID().toString().substring(0, 8);

	private NacosTarget(NacosTestServer embedded, String externalAddr, String username, String password) {
		this.embedded = embedded;
		this.externalAddr = externalAddr;
		this.username = username;
		this.password = password;
	}

	static NacosTarget embedded(NacosTestServer server, String username, String password) {
		return new NacosTarget(server, null, username, password);
	}

	static NacosTarget external(String serverAddr, String username, String password) {
		return new NacosTarget(null, serverAddr, username, password);
	}

	/** The external server's address from the environment, if one is set. */
	public static Optional<String> externalServerAddr(Map<String, String> environment) {
		String addr = environment.get(SERVER_ADDR_ENV);
		return (addr == null || addr.isBlank()) ? Optional.empty() : Optional.of(addr.trim());
	}

	public boolean isExternal() {
		return this.embedded == null;
	}

	public String serverAddr() {
		return isExternal() ? this.externalAddr : this.embedded.serverAddr();
	}

	public Optional<String> username() {
		return Optional.ofNullable(this.username);
	}

	public Optional<String> password() {
		return Optional.ofNullable(this.password);
	}

	/**
	 * A name unique to this test class run, for namespaces, groups, services and data ids
	 * that must not collide with other runs on a shared server.
	 */
	public String unique(String prefix) {
		return prefix + "-" + this.runId;
	}

	/**
	 * The embedded server, for tests that need its control API (restart, inspection).
	 * Against an external server the calling test is skipped: those checks cannot be made
	 * there.
	 */
	public NacosTestServer server() {
		Assumptions.assumeFalse(isExternal(),
				"needs the embedded test server's control API; skipped against external " + SERVER_ADDR_ENV);
		return this.embedded;
	}

	/**
	 * Spring properties that point the starter at this server:
	 * {@code spring.cloud.nacos.server-addr} and, against a server with auth on, the
	 * credentials.
	 */
	public Map<String, String> springProperties() {
		Map<String, String> properties = new LinkedHashMap<>();
		properties.put("spring.cloud.nacos.server-addr", serverAddr());
		username().ifPresent((name) -> {
			properties.put("spring.cloud.nacos.username", name);
			properties.put("spring.cloud.nacos.password", password().orElse(""));
		});
		return properties;
	}

	/**
	 * {@link #springProperties()} as {@code name=value} pairs, for
	 * {@code ApplicationContextRunner}.
	 */
	public String[] springPropertyValues() {
		return springProperties().entrySet()
			.stream()
			.map((entry) -> entry.getKey() + "=" + entry.getValue())
			.toArray(String[]::new);
	}

	/**
	 * Client properties for {@code NacosFactory}: server address, credentials, and the
	 * given namespace.
	 */
	public Properties clientProperties(String namespace) {
		Properties properties = new Properties();
		properties.setProperty(PropertyKeyConst.SERVER_ADDR, serverAddr());
		if (namespace != null) {
			properties.setProperty(PropertyKeyConst.NAMESPACE, namespace);
		}
		username().ifPresent((name) -> properties.setProperty(PropertyKeyConst.USERNAME, name));
		password().ifPresent((secret) -> properties.setProperty(PropertyKeyConst.PASSWORD, secret));
		return properties;
	}

	public Properties clientProperties() {
		return clientProperties(null);
	}

	@Override
	public String toString() {
		return (isExternal() ? "external Nacos at " : "embedded test server at ") + serverAddr();
	}

}
