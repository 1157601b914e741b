package dev.nacosboot.loadbalancer;

import java.util.List;

/**
 * Thrown when {@code spring.cloud.nacos.loadbalancer.*} holds rules that cannot be
 * applied; the message lists every problem.
 */
public class InvalidGrayRulesException extends RuntimeException {

	private final List<String> problems;

	public InvalidGrayRulesException(List<String> problems) {
		super("Invalid " + NacosLoadBalancerProperties.PREFIX + " rules: " + String.join("; ", problems));
		this.problems = List.copyOf(problems);
	}

	/**
	 * What is wrong, one entry per problem.
	 * @return the problems
	 */
	public List<String> getProblems() {
		return this.problems;
	}

}
