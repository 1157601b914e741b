package dev.nacosboot.reliability;

import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Every invalid setting of the starter stops startup with Boot's failure report (written
 * by a {@code FailureAnalyzer}, not a stack trace alone) that names the property.
 * Settings of the load balancer and the health indicators are checked when the
 * application starts, not at the first call or the first sample.
 */
@ExtendWith(OutputCaptureExtension.class)
class InvalidPropertiesFailureAnalysisTests {

	private static final String FAILURE_REPORT = "APPLICATION FAILED TO START";

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|',
			textBlock = """
					# settings (separated by '&')                                       | property the report names
					spring.cloud.nacos.server-addr=nacos:99999                           | spring.cloud.nacos.server-addr
					spring.cloud.nacos.server-addr=ftp://nacos:21                        | spring.cloud.nacos.server-addr
					spring.cloud.nacos.namespace=Team Namespace                          | spring.cloud.nacos.namespace
					spring.cloud.nacos.request-timeout=0s                                | spring.cloud.nacos.request-timeout
					spring.cloud.nacos.server-check-timeout=-1s                          | spring.cloud.nacos.server-check-timeout
					spring.cloud.nacos.request-timeout=soon                              | spring.cloud.nacos.request-timeout
					spring.cloud.nacos.access-key=ak-only                                | spring.cloud.nacos.secret-key
					spring.cloud.nacos.tls.enabled=true&spring.cloud.nacos.tls.certificate-chain=/tmp/chain.pem | spring.cloud.nacos.tls.private-key
					spring.cloud.nacos.tls.enabled=maybe                                 | spring.cloud.nacos.tls.enabled
					spring.cloud.nacos.discovery.weight=-1                               | spring.cloud.nacos.discovery.weight
					spring.cloud.nacos.discovery.weight=heavy                            | spring.cloud.nacos.discovery.weight
					spring.cloud.nacos.discovery.port=70000                              | spring.cloud.nacos.discovery.port
					spring.cloud.nacos.discovery.ip=300.1.2.3                            | spring.cloud.nacos.discovery.ip
					spring.cloud.nacos.discovery.cluster-name=zone a                     | spring.cloud.nacos.discovery.cluster-name
					spring.cloud.nacos.discovery.ip-type=IPv5                            | spring.cloud.nacos.discovery.ip-type
					spring.cloud.nacos.discovery.warmup=-1s                              | spring.cloud.nacos.discovery.warmup
					spring.cloud.nacos.discovery.warmup-initial-weight-ratio=0           | spring.cloud.nacos.discovery.warmup-initial-weight-ratio
					spring.cloud.nacos.discovery.deregistration-timeout=-1s              | spring.cloud.nacos.discovery.deregistration-timeout
					spring.cloud.nacos.discovery.graceful-shutdown-wait-time=-1          | spring.cloud.nacos.discovery.graceful-shutdown-wait-time
					spring.cloud.nacos.discovery.empty-grace-after-reconnect=-1s         | spring.cloud.nacos.discovery.empty-grace-after-reconnect
					spring.cloud.nacos.discovery.server-addr=nacos:0                     | spring.cloud.nacos.discovery.server-addr
					spring.cloud.nacos.discovery.max-metadata-length=-1                  | spring.cloud.nacos.discovery.max-metadata-length
					spring.cloud.nacos.config.timeout=0s                                 | spring.cloud.nacos.config.timeout
					spring.cloud.nacos.config.refresh.history-size=-1                    | spring.cloud.nacos.config.refresh.history-size
					spring.cloud.nacos.config.fail-fast=sometimes                        | spring.cloud.nacos.config.fail-fast
					spring.config.import=nacos:app.yaml?refresh=maybe                    | nacos:app.yaml?refresh=maybe
					spring.cloud.nacos.loadbalancer.services.greeting.canary.v2=150      | spring.cloud.nacos.loadbalancer.services.greeting.canary.v2
					spring.cloud.nacos.loadbalancer.services.greeting.canary.v2=60&spring.cloud.nacos.loadbalancer.services.greeting.canary.v3=60 | spring.cloud.nacos.loadbalancer.services.greeting.canary
					spring.cloud.nacos.loadbalancer.version-header=                      | spring.cloud.nacos.loadbalancer.version-header
					spring.cloud.nacos.loadbalancer.strategy=fastest                     | spring.cloud.nacos.loadbalancer.strategy
					spring.cloud.nacos.loadbalancer.on-missing-version=guess             | spring.cloud.nacos.loadbalancer.on-missing-version
					spring.cloud.nacos.loadbalancer.outlier-detection.consecutive-failures=0 | spring.cloud.nacos.loadbalancer.outlier-detection.consecutive-failures
					spring.cloud.nacos.loadbalancer.outlier-detection.max-ejected-percent=150 | spring.cloud.nacos.loadbalancer.outlier-detection.max-ejected-percent
					spring.cloud.nacos.loadbalancer.outlier-detection.base-ejection-time=-1s | spring.cloud.nacos.loadbalancer.outlier-detection.base-ejection-time
					spring.cloud.nacos.loadbalancer.least-latency.decay-time=0s          | spring.cloud.nacos.loadbalancer.least-latency.decay-time
					spring.cloud.nacos.loadbalancer.load-aware.min-weight-factor=2       | spring.cloud.nacos.loadbalancer.load-aware.min-weight-factor
					spring.cloud.nacos.health.grace-period=-1s                           | spring.cloud.nacos.health.grace-period
					spring.cloud.nacos.health.sample-interval=0s                         | spring.cloud.nacos.health.sample-interval
					spring.cloud.nacos.health.traffic.check-interval=0s                  | spring.cloud.nacos.health.traffic.check-interval
					""")
	void invalidSettingFailsStartupWithAReportNamingTheProperty(String settings, String property,
			CapturedOutput output) {
		int before = output.getAll().length();
		assertThatException()
			.isThrownBy(() -> TestApps.consumer(nacos.target(), nacos.target().unique("invalid"), settings.split("&")));
		String printed = output.getAll().substring(before);
		assertThat(printed).contains(FAILURE_REPORT);
		String report = printed.substring(printed.indexOf(FAILURE_REPORT));
		assertThat(report).contains("Description:").contains("Action:").contains(property);
	}

	@Test
	void metadataAboveTheServersLimitFailsStartupWithAReportNamingThePropertyAndTheSize(CapturedOutput output) {
		int before = output.getAll().length();
		String group = nacos.target().unique("oversized");
		assertThatException().isThrownBy(() -> TestApps.provider(nacos.target(), group, "oversized",
				"spring.cloud.nacos.discovery.metadata.description=" + "d".repeat(1100)));
		String printed = output.getAll().substring(before);
		assertThat(printed).contains(FAILURE_REPORT);
		String report = printed.substring(printed.indexOf(FAILURE_REPORT));
		assertThat(report).contains("Property: spring.cloud.nacos.discovery.metadata")
			.containsPattern("the instance metadata is \\d+ characters")
			.contains("above the 1024");
		assertThat(nacos.target().server().instances(null, group, "oversized")).isEmpty();
	}

}
