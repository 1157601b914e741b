package dev.nacosboot.loadbalancer;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports load-balancer settings that cannot be applied at startup, each with its full
 * property name.
 */
class InvalidGrayRulesFailureAnalyzer extends AbstractFailureAnalyzer<InvalidGrayRulesException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidGrayRulesException cause) {
		StringBuilder description = new StringBuilder("Invalid Nacos load-balancer configuration:\n");
		for (String problem : cause.getProblems()) {
			description.append("\n    ").append(NacosLoadBalancerProperties.PREFIX).append('.').append(problem);
		}
		return new FailureAnalysis(description.toString(),
				"Update the " + NacosLoadBalancerProperties.PREFIX + ".* settings named above.", cause);
	}

}
