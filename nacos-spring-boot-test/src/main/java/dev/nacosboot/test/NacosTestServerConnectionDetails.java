package dev.nacosboot.test;

import java.util.Map;
import java.util.Optional;

import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTarget;
import org.jspecify.annotations.Nullable;

/**
 * {@link NacosConnectionDetails} of a test's Nacos: the embedded {@link NacosTestServer},
 * or the external Nacos a {@link NacosTarget} names ({@code NACOS_SERVER_ADDR}, with
 * {@code NACOS_USERNAME} / {@code NACOS_PASSWORD}). Give them to an
 * {@code ApplicationContextRunner} as a bean, or to a {@code SpringApplication} through
 * {@link NacosTestServerConnectionInitializer}:
 *
 * <pre class="code">
 * contextRunner.withBean(NacosConnectionDetails.class, () -&gt; NacosTestServerConnectionDetails.of(nacos.target()))
 * </pre>
 *
 * Like any {@code NacosConnectionDetails}, they replace the connection settings of
 * {@code spring.cloud.nacos.*} (server address, namespace, credentials, TLS) for every
 * client of the starter; the clients use the public namespace unless
 * {@link #withNamespace(String)} names another.
 */
public final class NacosTestServerConnectionDetails implements NacosConnectionDetails {

	private static final String USERNAME_ENV = "NACOS_USERNAME";

	private static final String PASSWORD_ENV = "NACOS_PASSWORD";

	private final String serverAddr;

	private final @Nullable String username;

	private final @Nullable String password;

	private final @Nullable String namespace;

	private NacosTestServerConnectionDetails(String serverAddr, @Nullable String username, @Nullable String password,
			@Nullable String namespace) {
		this.serverAddr = serverAddr;
		this.username = username;
		this.password = password;
		this.namespace = namespace;
	}

	/**
	 * Details of where a test class's clients connect: the extension's embedded server
	 * (with the user of {@code NacosTestServerExtension.withAuth}), or the external Nacos
	 * of {@code NACOS_SERVER_ADDR} with its credentials.
	 * @param target the target of a {@code NacosTestServerExtension}
	 * @return the details, in the public namespace
	 */
	public static NacosTestServerConnectionDetails of(NacosTarget target) {
		return new NacosTestServerConnectionDetails(target.serverAddr(), target.username().orElse(null),
				target.password().orElse(null), null);
	}

	/**
	 * Details of a started embedded server, without credentials (see
	 * {@link #withCredentials(String, String)} for a server with auth on).
	 * @param server the started server
	 * @return the details, in the public namespace
	 */
	public static NacosTestServerConnectionDetails of(NacosTestServer server) {
		return new NacosTestServerConnectionDetails(server.serverAddr(), null, null, null);
	}

	/**
	 * The external Nacos of an environment, if {@code NACOS_SERVER_ADDR} names one.
	 * @param environment environment variables
	 * @return the details with {@code NACOS_USERNAME} / {@code NACOS_PASSWORD}, or empty
	 */
	static Optional<NacosTestServerConnectionDetails> external(Map<String, String> environment) {
		return NacosTarget.externalServerAddr(environment)
			.map((serverAddr) -> new NacosTestServerConnectionDetails(serverAddr,
					nonBlank(environment.get(USERNAME_ENV)), nonBlank(environment.get(PASSWORD_ENV)), null));
	}

	/**
	 * These details in another namespace.
	 * @param namespace a namespace id, or {@code null} (or blank) for the public
	 * namespace
	 * @return new details
	 */
	public NacosTestServerConnectionDetails withNamespace(@Nullable String namespace) {
		return new NacosTestServerConnectionDetails(this.serverAddr, this.username, this.password, nonBlank(namespace));
	}

	/**
	 * These details with credentials, for a server with auth on.
	 * @param username the user name
	 * @param password the password
	 * @return new details
	 */
	public NacosTestServerConnectionDetails withCredentials(String username, String password) {
		return new NacosTestServerConnectionDetails(this.serverAddr, username, password, this.namespace);
	}

	@Override
	public String getServerAddr() {
		return this.serverAddr;
	}

	@Override
	public @Nullable String getNamespace() {
		return this.namespace;
	}

	@Override
	public @Nullable String getUsername() {
		return this.username;
	}

	@Override
	public @Nullable String getPassword() {
		return this.password;
	}

	private static @Nullable String nonBlank(@Nullable String value) {
		return (value == null || value.isBlank()) ? null : value;
	}

	@Override
	public String toString() {
		// Never the password: this lands in logs and test reports.
		return "Nacos test connection to " + this.serverAddr + " (namespace "
				+ ((this.namespace != null) ? this.namespace : "public")
				+ ((this.username != null) ? ", user " + this.username : "") + ")";
	}

}
