package dev.nacosboot.core;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Collects every invalid setting of a startup check so that one failure reports them all.
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
	 * Throws when any setting was rejected.
	 * @throws InvalidNacosPropertiesException listing every rejected setting
	 */
	public void throwIfAny() {
		if (!this.violations.isEmpty()) {
			throw new InvalidNacosPropertiesException(this.violations);
		}
	}

}
