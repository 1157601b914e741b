package dev.nacosboot.testserver.junit;

import java.util.Map;
import java.util.function.Consumer;

import dev.nacosboot.testserver.NacosTestServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link NacosTestServer} per test class and stops it after the class; or,
 * with {@code NACOS_SERVER_ADDR} set, points the class at that external Nacos instead.
 * Register it on a static field:
 *
 * <pre>{@code
 * &#64;RegisterExtension
 * static final NacosTestServerExtension nacos = new NacosTestServerExtension();
 * }</pre>
 *
 * Test methods and constructors may also take a {@link NacosTarget} or
 * {@link NacosTestServer} parameter.
 */
public final class NacosTestServerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

	private final Consumer<NacosTestServer.Builder> customizer;

	private final String username;

	private final String password;

	private final Map<String, String> environment;

	private NacosTestServer server;

	private NacosTarget target;

	public NacosTestServerExtension() {
		this((builder) -> {
		});
	}

	/**
	 * An extension whose embedded server is built with the given options (ignored against
	 * an external server).
	 */
	public NacosTestServerExtension(Consumer<NacosTestServer.Builder> customizer) {
		this(customizer, null, null, System.getenv());
	}

	private NacosTestServerExtension(Consumer<NacosTestServer.Builder> customizer, String username, String password,
			Map<String, String> environment) {
		this.customizer = customizer;
		this.username = username;
		this.password = password;
		this.environment = environment;
	}

	/**
	 * An extension whose embedded server has auth on with this user, and whose clients
	 * log in as that user. Against an external server,
	 * {@code NACOS_USERNAME}/{@code NACOS_PASSWORD} are used instead.
	 */
	public static NacosTestServerExtension withAuth(String username, String password) {
		return new NacosTestServerExtension((builder) -> builder.user(username, password), username, password,
				System.getenv());
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		this.target = NacosTarget.externalServerAddr(this.environment)
			.map((addr) -> NacosTarget.external(addr, this.environment.get("NACOS_USERNAME"),
					this.environment.get("NACOS_PASSWORD")))
			.orElseGet(this::startEmbedded);
	}

	private NacosTarget startEmbedded() {
		NacosTestServer.Builder builder = NacosTestServer.builder();
		this.customizer.accept(builder);
		this.server = builder.build().start();
		return NacosTarget.embedded(this.server, this.username, this.password);
	}

	@Override
	public void afterAll(ExtensionContext context) {
		if (this.server != null) {
			this.server.close();
			this.server = null;
		}
	}

	/** Where this class's clients connect. */
	public NacosTarget target() {
		if (this.target == null) {
			throw new IllegalStateException("The extension has not started yet: register it on a static field");
		}
		return this.target;
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		Class<?> type = parameterContext.getParameter().getType();
		return type == NacosTarget.class || type == NacosTestServer.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return (parameterContext.getParameter().getType() == NacosTarget.class) ? target() : target().server();
	}

}
