package dev.nacosboot.core;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.validation.BindingResult;
import org.springframework.validation.Errors;
import org.springframework.validation.FieldError;
import org.springframework.validation.Validator;

/**
 * The checks of the Nacos settings, run where they are bound. The connection settings
 * (the shared {@code spring.cloud.nacos.*} ones and a concern's own
 * {@code spring.cloud.nacos.discovery.*}, {@code spring.cloud.nacos.config.*}) are
 * checked only where the connection is built from them: a {@link NacosConnectionDetails}
 * of the application's own replaces them, and then a value it does not use (an empty
 * {@code server-addr}, an unresolved placeholder) fails nothing. Errors name the property
 * as it is written ({@code server-addr}), so that Spring Boot's failure report names the
 * full property. Whether a username has its password, or an access key its secret key,
 * depends on the shared and the concern's settings together and is checked where a client
 * is created.
 * <p>
 * Shared by the starter's packages, not part of its API: it may change in any release.
 */
public final class NacosPropertiesValidator {

	private NacosPropertiesValidator() {
	}

	/**
	 * Checks the shared settings but the connection ones.
	 * @param properties the bound shared settings
	 * @param errors where to report
	 */
	static void validate(NacosProperties properties, Errors errors) {
		checkPositive(errors, "request-timeout", properties.getRequestTimeout());
		checkPositive(errors, "server-check-timeout", properties.getServerCheckTimeout());
		Duration startDelay = properties.getClientStartDelay();
		if (startDelay == null || startDelay.isNegative()) {
			reject(errors, "client-start-delay", startDelay,
					"must be zero or positive: set a duration such as 300ms, or 0 to create the clients once ready");
		}
		NacosProperties.Tls tls = properties.getTls();
		if (tls.isEnabled() && (tls.getCertificateChain() == null) != (tls.getPrivateKey() == null)) {
			reject(errors, (tls.getPrivateKey() == null) ? "tls.private-key" : "tls.certificate-chain", null,
					"mutual TLS needs both a certificate chain and its private key: set both "
							+ "tls.certificate-chain and tls.private-key, or neither");
		}
	}

	/**
	 * Checks the connection settings of one level (shared or a concern's own).
	 * @param properties the bound settings
	 * @param errors where to report
	 */
	public static void validateConnection(NacosConnectionProperties properties, Errors errors) {
		String serverAddr = properties.getServerAddr();
		if (serverAddr != null) {
			String problem = NacosClientPropertiesFactory.serverAddrProblem(serverAddr);
			if (problem != null) {
				reject(errors, "server-addr", serverAddr, problem + ": "
						+ "use a comma-separated list of host:port entries, each optionally prefixed with http:// or https://, e.g. 10.0.0.1:8848,10.0.0.2:8848");
			}
		}
		String namespace = properties.getNamespace();
		if (namespace != null && !namespace.isBlank() && !NacosClientPropertiesFactory.isNamespaceId(namespace)) {
			reject(errors, "namespace", namespace,
					NacosClientPropertiesFactory.NAMESPACE_REASON + ": " + NacosClientPropertiesFactory.NAMESPACE_FIX);
		}
	}

	/**
	 * A validator of a concern's own connection settings.
	 * @return the validator
	 */
	static Validator connectionValidator() {
		return Validator.forInstanceOf(NacosConnectionProperties.class, NacosPropertiesValidator::validateConnection);
	}

	private static void checkPositive(Errors errors, String property, @Nullable Duration duration) {
		if (duration != null && (duration.isNegative() || duration.isZero())) {
			reject(errors, property, duration, "must be positive: set a positive duration such as 3s, or remove it");
		}
	}

	/**
	 * Reports an invalid value under the property name as it is written, which Spring
	 * Boot's failure report shows with the prefix.
	 * @param errors where to report
	 * @param property the property, relative to the prefix, e.g. {@code server-addr}
	 * @param value the offending value, or {@code null} for a secret or an unset value
	 * @param message what is wrong and how to fix it
	 */
	public static void reject(Errors errors, String property, @Nullable Object value, String message) {
		if (errors instanceof BindingResult result) {
			result.addError(new FieldError(errors.getObjectName(), property, value, false, null, null, message));
		}
		else {
			errors.reject("invalid", property + ((value != null) ? "='" + value + "'" : "") + ": " + message);
		}
	}

}
