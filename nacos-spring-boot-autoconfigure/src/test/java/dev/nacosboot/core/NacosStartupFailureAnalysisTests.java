package dev.nacosboot.core;

import java.util.regex.Pattern;

import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			spring.cloud.nacos.discovery.weight=-1           | set a weight between 0 (no traffic) and 10000
			spring.cloud.nacos.discovery.server-addr=nacos:99999 | has a port out of range 1-65535
			spring.cloud.nacos.namespace=Team Namespace      | use the namespace's id (not its display name)
			""")
	void startupWithABadSettingReportsThePropertyAndItsFix(String setting, String fix, CapturedOutput output) {
		assertThatException().isThrownBy(() -> TestApps.consumer(nacos.target(), "any", setting));
		String property = setting.substring(0, setting.indexOf('='));
		String printed = output.getAll();
		assertThat(printed).contains("APPLICATION FAILED TO START");
		// The report itself, not what other threads logged meanwhile.
		String report = printed.substring(printed.lastIndexOf("APPLICATION FAILED TO START"));
		report = report.substring(0, report.indexOf("Action:") + "Action:".length());
		assertThat(report)
			.containsPattern("Property: " + Pattern.quote(property) + "|" + Pattern.quote(property) + ": ")
			.contains(fix)
			.doesNotContain("\tat ");
	}

}
