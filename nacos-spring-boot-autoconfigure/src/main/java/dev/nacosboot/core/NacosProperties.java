package dev.nacosboot.core;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Connection settings shared by every Nacos concern ({@code spring.cloud.nacos.*}). When
 * neither {@code server-addr} nor {@code endpoint} is set anywhere, the server is
 * {@value #DEFAULT_SERVER_ADDR}. The settings validate themselves where they are bound
 * ({@link NacosPropertiesValidator}).
 */
@ConfigurationProperties(NacosProperties.PREFIX)
public class NacosProperties extends NacosConnectionProperties implements Validator {

	/** Prefix of the shared settings. */
	public static final String PREFIX = "spring.cloud.nacos";

	/** Server used when no address is configured, as in Spring Cloud Alibaba. */
	public static final String DEFAULT_SERVER_ADDR = "127.0.0.1:8848";

	/**
	 * Timeout of one request to the server; unset keeps the client's default (3s).
	 */
	private @Nullable Duration requestTimeout;

	/**
	 * Timeout of the server check made when (re)connecting; unset keeps the client's
	 * default (3s).
	 */
	private @Nullable Duration serverCheckTimeout;

	/**
	 * How long after the application is ready the Nacos clients are created in the
	 * background; the registration and the config listeners start then. A client the
	 * application calls for sooner is created at that call. Creating the first client
	 * loads its gRPC stack, about a second of CPU in a fresh JVM: the wait leaves the
	 * application's first requests, such as a readiness probe, the processor. Zero
	 * creates them at once. Keep it well below 'spring.cloud.nacos.health.grace-period':
	 * a client that has not connected within that period since startup reports DOWN.
	 */
	private Duration clientStartDelay = Duration.ofMillis(300);

	/**
	 * Additional nacos-client properties passed verbatim (keys as the client names them,
	 * e.g. "namingPushEmptyProtection"); typed settings win over these.
	 */
	private Map<String, String> client = new LinkedHashMap<>();

	/**
	 * TLS of the gRPC connection to the server.
	 */
	private final Tls tls = new Tls();

	public @Nullable Duration getRequestTimeout() {
		return this.requestTimeout;
	}

	public void setRequestTimeout(@Nullable Duration requestTimeout) {
		this.requestTimeout = requestTimeout;
	}

	public @Nullable Duration getServerCheckTimeout() {
		return this.serverCheckTimeout;
	}

	public void setServerCheckTimeout(@Nullable Duration serverCheckTimeout) {
		this.serverCheckTimeout = serverCheckTimeout;
	}

	public Duration getClientStartDelay() {
		return this.clientStartDelay;
	}

	public void setClientStartDelay(Duration clientStartDelay) {
		this.clientStartDelay = clientStartDelay;
	}

	public Map<String, String> getClient() {
		return this.client;
	}

	public void setClient(Map<String, String> client) {
		this.client = client;
	}

	public Tls getTls() {
		return this.tls;
	}

	@Override
	public boolean supports(Class<?> type) {
		return NacosProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		NacosPropertiesValidator.validate((NacosProperties) target, errors);
	}

	/**
	 * TLS of the gRPC connection to the server.
	 */
	public static class Tls {

		/**
		 * Whether to connect to the server over TLS.
		 */
		private boolean enabled;

		/**
		 * Whether to trust any server certificate (testing only).
		 */
		private boolean trustAll;

		/**
		 * PEM file with the certificates that the server's certificate must chain to: a
		 * file system path or a 'classpath:' or 'file:' location.
		 */
		private @Nullable String trustCertificates;

		/**
		 * PEM certificate chain presented to the server for mutual TLS: a file system
		 * path or a 'classpath:' or 'file:' location.
		 */
		private @Nullable String certificateChain;

		/**
		 * PEM private key of 'certificate-chain': a file system path or a 'classpath:' or
		 * 'file:' location.
		 */
		private @Nullable String privateKey;

		/**
		 * Password of 'private-key', if it is encrypted.
		 */
		private @Nullable String privateKeyPassword;

		/**
		 * Comma-separated TLS protocols to enable, e.g. "TLSv1.3"; unset keeps the
		 * client's default.
		 */
		private @Nullable String protocols;

		/**
		 * Comma-separated cipher suites to enable; unset keeps the client's default.
		 */
		private @Nullable String ciphers;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public boolean isTrustAll() {
			return this.trustAll;
		}

		public void setTrustAll(boolean trustAll) {
			this.trustAll = trustAll;
		}

		public @Nullable String getTrustCertificates() {
			return this.trustCertificates;
		}

		public void setTrustCertificates(@Nullable String trustCertificates) {
			this.trustCertificates = trustCertificates;
		}

		public @Nullable String getCertificateChain() {
			return this.certificateChain;
		}

		public void setCertificateChain(@Nullable String certificateChain) {
			this.certificateChain = certificateChain;
		}

		public @Nullable String getPrivateKey() {
			return this.privateKey;
		}

		public void setPrivateKey(@Nullable String privateKey) {
			this.privateKey = privateKey;
		}

		public @Nullable String getPrivateKeyPassword() {
			return this.privateKeyPassword;
		}

		public void setPrivateKeyPassword(@Nullable String privateKeyPassword) {
			this.privateKeyPassword = privateKeyPassword;
		}

		public @Nullable String getProtocols() {
			return this.protocols;
		}

		public void setProtocols(@Nullable String protocols) {
			this.protocols = protocols;
		}

		public @Nullable String getCiphers() {
			return this.ciphers;
		}

		public void setCiphers(@Nullable String ciphers) {
			this.ciphers = ciphers;
		}

	}

}
