package dev.nacosboot.core;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The connection settings are checked where they are bound, naming the property as it was
 * written.
 */
class NacosPropertiesValidatorTests {

	@ParameterizedTest
	@ValueSource(strings = { "nacos:0", "nacos:70000", "nacos:port", "a,,b", "ftp://nacos:21", "[::1:8848",
			"na cos:8848", " " })
	void malformedServerAddressesShouldBeRefusedWhereTheyAreBound(String serverAddr) {
		assertRefused(Map.of("spring.cloud.nacos.discovery.server-addr", serverAddr),
				"spring.cloud.nacos.discovery.server-addr");
		assertRefused(Map.of("spring.cloud.nacos.server-addr", serverAddr), "spring.cloud.nacos.server-addr");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			spring.cloud.nacos.namespace         | My Namespace
			spring.cloud.nacos.config.namespace  | team/a
			spring.cloud.nacos.request-timeout   | 0s
			spring.cloud.nacos.server-check-timeout | -1s
			spring.cloud.nacos.client-start-delay | -300ms
			""")
	void invalidSettingsShouldBeRefusedNamingTheProperty(String property, String value) {
		assertRefused(Map.of(property, value), property);
	}

	@ParameterizedTest
	@ValueSource(strings = { "spring.cloud.nacos.tls.certificate-chain", "spring.cloud.nacos.tls.private-key" })
	void halfAMutualTlsPairShouldBeRefused(String half) {
		String other = half.endsWith("private-key") ? "spring.cloud.nacos.tls.certificate-chain"
				: "spring.cloud.nacos.tls.private-key";
		assertRefused(Map.of("spring.cloud.nacos.tls.enabled", "true", half, "/etc/nacos/x.pem"), other);
	}

	private static void assertRefused(Map<String, String> properties, String property) {
		Binder binder = new Binder(new MapConfigurationPropertySource(properties));
		assertThatExceptionOfType(BindException.class).isThrownBy(() -> PropertiesNacosConnectionDetails.bind(binder))
			.havingRootCause()
			.isInstanceOf(BindValidationException.class)
			.satisfies((ex) -> assertThat(((BindValidationException) ex).getValidationErrors().getAllErrors())
				.anySatisfy((error) -> assertThat(error.toString())
					.contains(property.substring(property.lastIndexOf('.') + 1))));
	}

}
