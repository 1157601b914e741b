package dev.nacosboot.core;

import org.jspecify.annotations.Nullable;

/**
 * Connection settings that a concern ({@code spring.cloud.nacos.discovery.*},
 * {@code spring.cloud.nacos.config.*}) may set to override the shared ones under
 * {@code spring.cloud.nacos.*}. A {@code null} value means "use the shared setting".
 */
public class NacosConnectionProperties {

	/**
	 * Comma-separated list of Nacos servers, each "host:port" with an optional "http://"
	 * or "https://" scheme.
	 */
	private @Nullable String serverAddr;

	/**
	 * Namespace id (letters, digits, '_', '-' or '.'); unset or "public" means the public
	 * namespace.
	 */
	private @Nullable String namespace;

	/**
	 * User name to log in with when the server has auth enabled.
	 */
	private @Nullable String username;

	/**
	 * Password of the user named by 'username'.
	 */
	private @Nullable String password;

	/**
	 * Access key for the cloud (AK/SK) authentication.
	 */
	private @Nullable String accessKey;

	/**
	 * Secret key for the cloud (AK/SK) authentication.
	 */
	private @Nullable String secretKey;

	/**
	 * Address server endpoint ("host" or "host:port") that lists the servers, used
	 * instead of 'server-addr'.
	 */
	private @Nullable String endpoint;

	/**
	 * Context path of the Nacos server's HTTP API.
	 */
	private @Nullable String contextPath;

	public @Nullable String getServerAddr() {
		return this.serverAddr;
	}

	public void setServerAddr(@Nullable String serverAddr) {
		this.serverAddr = serverAddr;
	}

	public @Nullable String getNamespace() {
		return this.namespace;
	}

	public void setNamespace(@Nullable String namespace) {
		this.namespace = namespace;
	}

	public @Nullable String getUsername() {
		return this.username;
	}

	public void setUsername(@Nullable String username) {
		this.username = username;
	}

	public @Nullable String getPassword() {
		return this.password;
	}

	public void setPassword(@Nullable String password) {
		this.password = password;
	}

	public @Nullable String getAccessKey() {
		return this.accessKey;
	}

	public void setAccessKey(@Nullable String accessKey) {
		this.accessKey = accessKey;
	}

	public @Nullable String getSecretKey() {
		return this.secretKey;
	}

	public void setSecretKey(@Nullable String secretKey) {
		this.secretKey = secretKey;
	}

	public @Nullable String getEndpoint() {
		return this.endpoint;
	}

	public void setEndpoint(@Nullable String endpoint) {
		this.endpoint = endpoint;
	}

	public @Nullable String getContextPath() {
		return this.contextPath;
	}

	public void setContextPath(@Nullable String contextPath) {
		this.contextPath = contextPath;
	}

}
