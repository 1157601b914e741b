package dev.nacosboot.actuate;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The health settings are checked where they are bound: every invalid one reported at
 * once, by property name, whichever bean reads them first.
 */
class NacosActuatePropertiesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(BindOnly.class);

	@Test
	void invalidSettingsAreAllReportedWhenBound() {
		this.runner
			.withPropertyValues("spring.cloud.nacos.health.grace-period=-1s",
					"spring.cloud.nacos.health.sample-interval=0s",
					"spring.cloud.nacos.health.traffic.check-interval=-250ms")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(BindValidationException.class)
				.hasMessageContaining("'grace-period'")
				.hasMessageContaining("'sample-interval'")
				.hasMessageContaining("'traffic.check-interval'")
				.hasMessageContaining("must be positive"));
	}

	@Test
	void defaultsAndValidSettingsBind() {
		this.runner.withPropertyValues("spring.cloud.nacos.health.grace-period=0s")
			.run((context) -> assertThat(context).hasNotFailed()
				.getBean(NacosActuateProperties.class)
				.satisfies((properties) -> assertThat(properties.getGracePeriod()).isZero()));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(NacosActuateProperties.class)
	static class BindOnly {

	}

}
