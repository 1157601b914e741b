package dev.nacosboot.core;

import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;

/**
 * {@link NacosConnectionDetails} from {@code spring.cloud.nacos.*}, where a concern's own
 * settings ({@code spring.cloud.nacos.discovery.*}, {@code spring.cloud.nacos.config.*})
 * win when set. Knows which property each value came from, so that a bad value is
 * reported under its own name.
 */
final class PropertiesNacosConnectionDetails implements NacosConnectionDetails {

	static final String DISCOVERY_PREFIX = NacosProperties.PREFIX + ".discovery";

	static final String CONFIG_PREFIX = NacosProperties.PREFIX + ".config";

	private final NacosProperties shared;

	private final @Nullable NacosConnectionProperties override;

	private final String overridePrefix;

	private final @Nullable PropertiesNacosConnectionDetails discovery;

	private final @Nullable PropertiesNacosConnectionDetails config;

	private PropertiesNacosConnectionDetails(NacosProperties shared, @Nullable NacosConnectionProperties override,
			String overridePrefix, @Nullable PropertiesNacosConnectionDetails discovery,
			@Nullable PropertiesNacosConnectionDetails config) {
		this.shared = shared;
		this.override = override;
		this.overridePrefix = overridePrefix;
		this.discovery = discovery;
		this.config = config;
	}

	/**
	 * Details from bound settings.
	 * @param shared {@code spring.cloud.nacos.*}
	 * @param discovery {@code spring.cloud.nacos.discovery.*}, or {@code null}
	 * @param config {@code spring.cloud.nacos.config.*}, or {@code null}
	 * @return the details
	 */
	static PropertiesNacosConnectionDetails of(NacosProperties shared, @Nullable NacosConnectionProperties discovery,
			@Nullable NacosConnectionProperties config) {
		return new PropertiesNacosConnectionDetails(shared, null, NacosProperties.PREFIX,
				new PropertiesNacosConnectionDetails(shared, discovery, DISCOVERY_PREFIX, null, null),
				new PropertiesNacosConnectionDetails(shared, config, CONFIG_PREFIX, null, null));
	}

	/**
	 * Details bound from an environment's settings.
	 * @param binder binds the settings
	 * @return the details
	 */
	static PropertiesNacosConnectionDetails bind(Binder binder) {
		return of(binder.bindOrCreate(NacosProperties.PREFIX, Bindable.of(NacosProperties.class),
				new ValidationBindHandler(new NacosProperties())), binder);
	}

	/**
	 * Details from the bound shared settings and a concern's own, which are bound (and
	 * checked) here.
	 * @param shared {@code spring.cloud.nacos.*}, already bound; its connection settings
	 * are checked here
	 * @param binder binds {@code spring.cloud.nacos.discovery.*} and
	 * {@code spring.cloud.nacos.config.*}
	 * @return the details
	 */
	static PropertiesNacosConnectionDetails of(NacosProperties shared, Binder binder) {
		// The shared connection settings are checked here, where they are used, rather
		// than where the shared settings are bound: details of the application's own
		// replace them.
		bindOverride(binder, NacosProperties.PREFIX);
		return of(shared, bindOverride(binder, DISCOVERY_PREFIX), bindOverride(binder, CONFIG_PREFIX));
	}

	private static @Nullable NacosConnectionProperties bindOverride(Binder binder, String prefix) {
		return binder
			.bind(prefix, Bindable.of(NacosConnectionProperties.class),
					new ValidationBindHandler(NacosPropertiesValidator.connectionValidator()))
			.orElse(null);
	}

	NacosProperties shared() {
		return this.shared;
	}

	@Nullable NacosConnectionProperties override() {
		return this.override;
	}

	String overridePrefix() {
		return this.overridePrefix;
	}

	@Override
	public @Nullable String getServerAddr() {
		String serverAddr = pick(NacosConnectionProperties::getServerAddr);
		return (serverAddr == null && getEndpoint() == null) ? NacosProperties.DEFAULT_SERVER_ADDR : serverAddr;
	}

	@Override
	public @Nullable String getEndpoint() {
		return pick(NacosConnectionProperties::getEndpoint);
	}

	@Override
	public @Nullable String getContextPath() {
		return pick(NacosConnectionProperties::getContextPath);
	}

	@Override
	public @Nullable String getNamespace() {
		String namespace = pick(NacosConnectionProperties::getNamespace);
		return (namespace != null && !namespace.isBlank()) ? namespace.trim() : null;
	}

	@Override
	public @Nullable String getUsername() {
		return pick(NacosConnectionProperties::getUsername);
	}

	@Override
	public @Nullable String getPassword() {
		return pick(NacosConnectionProperties::getPassword);
	}

	@Override
	public @Nullable String getAccessKey() {
		return pick(NacosConnectionProperties::getAccessKey);
	}

	@Override
	public @Nullable String getSecretKey() {
		return pick(NacosConnectionProperties::getSecretKey);
	}

	@Override
	public @Nullable Tls getTls() {
		NacosProperties.Tls tls = this.shared.getTls();
		if (!tls.isEnabled()) {
			return null;
		}
		return new Tls(tls.isTrustAll(), tls.getTrustCertificates(), tls.getCertificateChain(), tls.getPrivateKey(),
				tls.getPrivateKeyPassword(), tls.getProtocols(), tls.getCiphers());
	}

	@Override
	public NacosConnectionDetails forDiscovery() {
		return (this.discovery != null) ? this.discovery : this;
	}

	@Override
	public NacosConnectionDetails forConfig() {
		return (this.config != null) ? this.config : this;
	}

	private @Nullable String pick(Function<NacosConnectionProperties, @Nullable String> getter) {
		if (this.override != null) {
			String value = getter.apply(this.override);
			if (value != null) {
				return value;
			}
		}
		return getter.apply(this.shared);
	}

	@Override
	public String toString() {
		return "NacosConnectionDetails from " + this.overridePrefix + " (server "
				+ NacosClientPropertiesFactory.describeServer(this) + ")";
	}

}
