package dev.nacosboot.config;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Explains why a Nacos config import failed at startup and what to do.
 */
class NacosConfigLoadFailureAnalyzer implements FailureAnalyzer {

	@Override
	public @Nullable FailureAnalysis analyze(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (cause instanceof NacosConfigLoadException load) {
				return new FailureAnalysis(load.getMessage(), load.getAction(), load);
			}
			if (cause instanceof NacosConfigImportException missing
					&& "spring.config.import".equals(missing.getLocation())) {
				return new FailureAnalysis(missing.getMessage(),
						"Add spring.config.import=nacos: (or optional:nacos: when the config may be missing), or set "
								+ NacosConfigProperties.PREFIX + ".import-check.enabled=false.",
						missing);
			}
			if (cause instanceof NacosConfigImportException invalid) {
				return new FailureAnalysis(invalid.getMessage(), "Fix '" + invalid.getLocation()
						+ "'. Imports look like 'nacos:app.yaml?group=G&namespace=N&refresh=true&preference=remote'"
						+ " (Spring Cloud Alibaba's 'nacos:app.yaml?group=G&refreshEnabled=true' works too)"
						+ " or a bare 'nacos:'.", invalid);
			}
		}
		return null;
	}

}
