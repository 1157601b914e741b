package dev.nacosboot.core;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Where and how the starter's Nacos clients connect: server addresses (or an address
 * server endpoint), namespace, credentials and TLS. Every client of the starter, the
 * config import's included, is created from it.
 * <p>
 * By default it is built from {@code spring.cloud.nacos.*}, with
 * {@code spring.cloud.nacos.discovery.*} and {@code spring.cloud.nacos.config.*}
 * overriding per concern. Define a bean of this type to replace it; to reach the config
 * import, which runs before the application context exists, register it in the
 * {@code BootstrapRegistry} as well (a {@code BootstrapRegistryInitializer}): the starter
 * then promotes it to a bean.
 */
public interface NacosConnectionDetails extends ConnectionDetails {

	/**
	 * Comma-separated {@code host:port} entries, each optionally prefixed with
	 * {@code http://} or {@code https://}.
	 * @return the server list, or {@code null} when an {@link #getEndpoint() endpoint}
	 * names the servers
	 */
	@Nullable String getServerAddr();

	/**
	 * Address server that lists the Nacos servers, instead of a fixed server list.
	 * @return the endpoint, or {@code null}
	 */
	default @Nullable String getEndpoint() {
		return null;
	}

	/**
	 * Context path of the server's HTTP API.
	 * @return the context path, or {@code null} for the client's default ({@code nacos})
	 */
	default @Nullable String getContextPath() {
		return null;
	}

	/**
	 * Namespace id.
	 * @return the namespace id, or {@code null} for the public namespace
	 */
	default @Nullable String getNamespace() {
		return null;
	}

	/**
	 * User name when the server has auth on.
	 * @return the user name, or {@code null}
	 */
	default @Nullable String getUsername() {
		return null;
	}

	/**
	 * Password of {@link #getUsername()}.
	 * @return the password, or {@code null}
	 */
	default @Nullable String getPassword() {
		return null;
	}

	/**
	 * Access key for AK/SK request signing.
	 * @return the access key, or {@code null}
	 */
	default @Nullable String getAccessKey() {
		return null;
	}

	/**
	 * Secret key for AK/SK request signing.
	 * @return the secret key, or {@code null}
	 */
	default @Nullable String getSecretKey() {
		return null;
	}

	/**
	 * TLS towards the server's gRPC port.
	 * @return the TLS settings, or {@code null} for plaintext
	 */
	default @Nullable Tls getTls() {
		return null;
	}

	/**
	 * The details the naming client uses.
	 * @return details for discovery and registration; by default these same details
	 */
	default NacosConnectionDetails forDiscovery() {
		return this;
	}

	/**
	 * The details the config clients use.
	 * @return details for config; by default these same details
	 */
	default NacosConnectionDetails forConfig() {
		return this;
	}

	/**
	 * The default details: {@code spring.cloud.nacos.*}, with
	 * {@code spring.cloud.nacos.discovery.*} and {@code spring.cloud.nacos.config.*}
	 * winning per concern where set.
	 * @param binder binds the settings
	 * @return the details
	 */
	static NacosConnectionDetails fromProperties(Binder binder) {
		return PropertiesNacosConnectionDetails.bind(binder);
	}

	/**
	 * TLS settings. Locations are file system paths or {@code classpath:} / {@code file:}
	 * resources in PEM.
	 *
	 * @param trustAll whether to trust any server certificate (tests only)
	 * @param trustCertificates CA certificates to trust, or {@code null} for the JDK's
	 * @param certificateChain client certificate chain for mutual TLS, or {@code null}
	 * @param privateKey private key of the certificate chain, or {@code null}
	 * @param privateKeyPassword password of an encrypted private key, or {@code null}
	 * @param protocols comma-separated TLS protocols, or {@code null} for the defaults
	 * @param ciphers comma-separated cipher suites, or {@code null} for the defaults
	 */
	record Tls(boolean trustAll, @Nullable String trustCertificates, @Nullable String certificateChain,
			@Nullable String privateKey, @Nullable String privateKeyPassword, @Nullable String protocols,
			@Nullable String ciphers) {

		@Override
		public String toString() {
			// The key password never reaches a log line.
			return "Tls[trustAll=" + this.trustAll + ", trustCertificates=" + this.trustCertificates
					+ ", certificateChain=" + this.certificateChain + ", privateKey=" + this.privateKey + "]";
		}

	}

}
