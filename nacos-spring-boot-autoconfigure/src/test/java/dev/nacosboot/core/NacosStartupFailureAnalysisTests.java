package dev.nacosboot.core;

import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * What a user sees when an application starts with bad Nacos settings: Boot's failure
 * report, written by this starter's failure analyzers.
 */
@ExtendWith(OutputCaptureExtension.class)
class NacosStartupFailureAnalysisTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	@Test
	void startupWithBadSettingsReportsEveryPropertyAndItsFix(CapturedOutput output) {
		assertThatException().isThrownBy(() -> TestApps.consumer(nacos.target(), "any",
				"spring.cloud.nacos.discovery.weight=-1", "spring.cloud.nacos.discovery.server-addr=nacos:99999",
				"spring.cloud.nacos.namespace=Team Namespace"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid Nacos configuration")
			.contains("Property: spring.cloud.nacos.discovery.weight")
			.contains("Property: spring.cloud.nacos.discovery.server-addr")
			.contains("Property: spring.cloud.nacos.namespace")
			.contains("spring.cloud.nacos.discovery.weight: set a weight between 0 (no traffic) and 10000")
			.contains("use the namespace's id (not its display name)");
	}

}
