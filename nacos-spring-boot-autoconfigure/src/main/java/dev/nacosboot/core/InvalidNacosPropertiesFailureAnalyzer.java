package dev.nacosboot.core;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports invalid Nacos settings with the property, its value and the fix.
 */
class InvalidNacosPropertiesFailureAnalyzer extends AbstractFailureAnalyzer<InvalidNacosPropertiesException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidNacosPropertiesException cause) {
		StringBuilder description = new StringBuilder("Invalid Nacos configuration:\n");
		StringBuilder action = new StringBuilder("Update your application's configuration:\n");
		for (InvalidNacosPropertiesException.Violation violation : cause.getViolations()) {
			description.append("\n    Property: ").append(violation.property());
			if (violation.value() != null) {
				description.append("\n    Value: \"").append(violation.value()).append('"');
			}
			description.append("\n    Reason: ").append(violation.reason()).append('\n');
			action.append("\n    ").append(violation.property()).append(": ").append(violation.action());
		}
		return new FailureAnalysis(description.toString(), action.toString(), cause);
	}

}
