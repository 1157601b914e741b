package dev.nacosboot.core;

import java.util.List;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at startup when Nacos settings are invalid;
 * {@link InvalidNacosPropertiesFailureAnalyzer} turns it into a report naming each
 * property and its fix.
 */
public class InvalidNacosPropertiesException extends RuntimeException {

	private final List<Violation> violations;

	public InvalidNacosPropertiesException(List<Violation> violations) {
		super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
		this.violations = List.copyOf(violations);
	}

	public List<Violation> getViolations() {
		return this.violations;
	}

	/**
	 * One invalid setting.
	 *
	 * @param property full property name, e.g.
	 * {@code spring.cloud.nacos.discovery.weight}
	 * @param value the offending value, {@code null} for secrets or when unset
	 * @param reason what is wrong
	 * @param action how to fix it
	 */
	public record Violation(String property, @Nullable Object value, String reason, String action) {

		@Override
		public String toString() {
			return this.property + ((this.value != null) ? "='" + this.value + "'" : "") + ": " + this.reason;
		}

	}

}
