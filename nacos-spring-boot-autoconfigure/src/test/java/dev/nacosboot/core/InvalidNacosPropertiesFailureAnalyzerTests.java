package dev.nacosboot.core;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

class InvalidNacosPropertiesFailureAnalyzerTests {

	@Test
	void analyzeShouldNamePropertyValueReasonAndFix() {
		InvalidNacosPropertiesException cause = new InvalidNacosPropertiesException(
				List.of(new InvalidNacosPropertiesException.Violation("spring.cloud.nacos.discovery.weight", -1f,
						"the weight must be between 0 and 10000", "set a weight between 0 and 10000")));
		FailureAnalysis analysis = new InvalidNacosPropertiesFailureAnalyzer()
			.analyze(new BeanCreationException("nacosNamingService", "failed", cause));
		assertThat(analysis.getDescription()).contains("spring.cloud.nacos.discovery.weight")
			.contains("\"-1.0\"")
			.contains("between 0 and 10000");
		assertThat(analysis.getAction())
			.contains("spring.cloud.nacos.discovery.weight: set a weight between 0 and 10000");
	}

	@Test
	void analyzeUnavailableServerShouldNameFailFastPropertyAndServer() {
		NacosUnavailableException cause = new NacosUnavailableException("Could not register", "10.0.0.1:8848",
				"spring.cloud.nacos.discovery.fail-fast", new IllegalStateException("Client not connected"));
		FailureAnalysis analysis = new NacosUnavailableFailureAnalyzer().analyze(cause);
		assertThat(analysis.getDescription()).contains("10.0.0.1:8848").contains("Client not connected");
		assertThat(analysis.getAction()).contains("spring.cloud.nacos.discovery.fail-fast=false");
	}

}
