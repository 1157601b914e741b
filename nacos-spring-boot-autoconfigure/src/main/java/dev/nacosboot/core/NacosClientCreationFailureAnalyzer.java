package dev.nacosboot.core;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains why a Nacos client could not be created.
 */
class NacosClientCreationFailureAnalyzer extends AbstractFailureAnalyzer<NacosClientCreationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, NacosClientCreationException cause) {
		String concern = cause.getKind().equals("naming") ? "discovery" : "config";
		return new FailureAnalysis(cause.getMessage(),
				"Check spring.cloud.nacos.server-addr, endpoint, namespace and credentials (or their "
						+ "spring.cloud.nacos." + concern + ".* overrides), or switch the concern off with "
						+ "spring.cloud.nacos." + concern + ".enabled=false.",
				cause);
	}

}
