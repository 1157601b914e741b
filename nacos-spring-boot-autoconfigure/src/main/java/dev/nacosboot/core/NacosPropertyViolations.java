package dev.nacosboot.core;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.validation.Errors;

/**
 * Collects every invalid setting of a startup check so that one failure reports them all.
 * <p>
 * Shared by the starter's packages, not part of its API: it may change in any release.
 */
public final class NacosPropertyViolations {

	private final List<InvalidNacosPropertiesException.Violation> violations = new ArrayList<>();

	/**
	 * Records an invalid setting.
	 * @param property full property name
	 * @param value offending value ({@code null} for secrets)
	 * @param reason what is wrong
	 * @param action how to fix it
	 * @return this
	 */
	public NacosPropertyViolations reject(String property, @Nullable Object value, String reason, String action) {
		this.violations.add(new InvalidNacosPropertiesException.Violation(property, value, reason, action));
		return this;
	}

	public boolean isEmpty() {
		return this.violations.isEmpty();
	}

	/**
	 * Reports every rejected setting to a binding's errors, so that Spring Boot's bind
	 * failure report lists them with their values and fixes.
	 * @param prefix the prefix of the bound properties, e.g.
	 * {@code spring.cloud.nacos.discovery}
	 * @param errors the binding's errors
	 */
	public void reportTo(String prefix, Errors errors) {
		for (InvalidNacosPropertiesException.Violation violation : this.violations) {
			String property = violation.property().startsWith(prefix + ".")
					? violation.property().substring(prefix.length() + 1) : violation.property();
			NacosPropertiesValidator.reject(errors, property, violation.value(),
					violation.reason() + ": " + violation.action());
		}
	}

	/**
	 * Throws when any setting was rejected.
	 * @throws InvalidNacosPropertiesException listing every rejected setting
	 */
	public void throwIfAny() {
		if (!this.violations.isEmpty()) {
			throw new InvalidNacosPropertiesException(this.violations);
		}
	}

}
