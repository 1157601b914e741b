package dev.nacosboot.core;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a fail-fast startup failure caused by an unreachable Nacos server.
 */
class NacosUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<NacosUnavailableException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, NacosUnavailableException cause) {
		String description = cause.getMessage() + "\n\n    Server: " + cause.getServerAddr() + "\n    Cause: "
				+ ((cause.getCause() != null) ? cause.getCause().getMessage() : "unknown");
		String action = "Check that Nacos is running and reachable at " + cause.getServerAddr()
				+ " (spring.cloud.nacos.server-addr), that the namespace and credentials are right, or set "
				+ cause.getFailFastProperty()
				+ "=false to start without it and connect in the background. If the server"
				+ " accepts only TLS, set spring.cloud.nacos.tls.enabled=true and spring.cloud.nacos.tls.trust-certificates.";
		return new FailureAnalysis(description, action, cause);
	}

}
