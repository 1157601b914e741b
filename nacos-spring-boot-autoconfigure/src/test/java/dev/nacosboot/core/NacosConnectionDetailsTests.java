package dev.nacosboot.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.discovery.NacosDiscoveryAutoConfiguration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

class NacosConnectionDetailsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(NacosCoreAutoConfiguration.class));

	@Test
	void defaultDetailsShouldComeFromThePropertiesWithEachConcernsOwnSettingsWinning() {
		this.runner.withPropertyValues("spring.cloud.nacos.server-addr=shared:8848", "spring.cloud.nacos.namespace=dev",
				"spring.cloud.nacos.username=nacos", "spring.cloud.nacos.password=secret",
				"spring.cloud.nacos.discovery.server-addr=naming:8848", "spring.cloud.nacos.config.namespace=config-ns")
			.run((context) -> {
				NacosConnectionDetails details = context.getBean(NacosConnectionDetails.class);
				assertThat(details.getServerAddr()).isEqualTo("shared:8848");
				assertThat(details.forDiscovery().getServerAddr()).isEqualTo("naming:8848");
				assertThat(details.forDiscovery().getNamespace()).isEqualTo("dev");
				assertThat(details.forConfig().getServerAddr()).isEqualTo("shared:8848");
				assertThat(details.forConfig().getNamespace()).isEqualTo("config-ns");
				assertThat(details.forConfig().getUsername()).isEqualTo("nacos");
				assertThat(details.toString()).doesNotContain("secret");
			});
	}

	@Test
	void defaultDetailsWithoutAnyServerSettingShouldPointAtTheLocalDefault() {
		this.runner.run((context) -> assertThat(context.getBean(NacosConnectionDetails.class).getServerAddr())
			.isEqualTo(NacosProperties.DEFAULT_SERVER_ADDR));
	}

	@Test
	void aDetailsBeanShouldReplaceThePropertiesForTheNamingClient() {
		this.runner.withConfiguration(AutoConfigurations.of(NacosDiscoveryAutoConfiguration.class))
			.withUserConfiguration(RecordingClients.class)
			.withBean(NacosConnectionDetails.class, () -> new FixedDetails("from-bean:8848", "tenant-a"))
			.withPropertyValues("spring.cloud.nacos.server-addr=from-properties:8848")
			.run((context) -> {
				assertThat(context).hasSingleBean(NacosConnectionDetails.class);
				// The bean is a proxy that creates the client at its first call.
				context.getBean(NamingService.class).getServerStatus();
				Properties used = context.getBean(RecordingClients.class).naming.get(0);
				assertThat(used).containsEntry(PropertyKeyConst.SERVER_ADDR, "from-bean:8848")
					.containsEntry(PropertyKeyConst.NAMESPACE, "tenant-a");
			});
	}

	@Test
	void connectionPropertiesADetailsBeanReplacesAreNotChecked() {
		// An application.yml with ${NACOS_SERVER_ADDR:} and no such variable, where the
		// details come from elsewhere (a secret store, a test's server).
		this.runner.withConfiguration(AutoConfigurations.of(NacosDiscoveryAutoConfiguration.class))
			.withUserConfiguration(RecordingClients.class)
			.withBean(NacosConnectionDetails.class, () -> new FixedDetails("from-bean:8848", null))
			.withPropertyValues("spring.cloud.nacos.server-addr=", "spring.cloud.nacos.namespace=${UNSET_NAMESPACE}",
					"spring.cloud.nacos.discovery.server-addr=not a server")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				context.getBean(NamingService.class).getServerStatus();
				assertThat(context.getBean(RecordingClients.class).naming.get(0))
					.containsEntry(PropertyKeyConst.SERVER_ADDR, "from-bean:8848");
			});
	}

	@Test
	void connectionPropertiesInUseAreCheckedNamingTheProperty() {
		this.runner.withPropertyValues("spring.cloud.nacos.server-addr=")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(BindValidationException.class)
				.hasMessageContaining("server-addr")
				.hasMessageContaining("the server list is empty"));
	}

	@Test
	void anInvalidDetailsBeanShouldFailStartupNamingTheBean() {
		this.runner.withConfiguration(AutoConfigurations.of(NacosDiscoveryAutoConfiguration.class))
			.withUserConfiguration(RecordingClients.class)
			.withBean(NacosConnectionDetails.class, () -> new FixedDetails("bad host:8848", null))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidNacosPropertiesException.class)
				.hasMessageContaining("NacosConnectionDetails bean serverAddr"));
	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingClients {

		final List<Properties> naming = new ArrayList<>();

		@Bean
		NacosClients nacosClients() throws Exception {
			NacosClients.ClientFactory factory = mock(NacosClients.ClientFactory.class);
			when(factory.createNamingService(any())).thenAnswer((invocation) -> {
				this.naming.add(invocation.getArgument(0));
				return mock(NamingService.class);
			});
			when(factory.createConfigService(any())).thenAnswer((invocation) -> mock(ConfigService.class));
			return new NacosClients(factory);
		}

	}

	record FixedDetails(String serverAddr, @Nullable String namespace) implements NacosConnectionDetails {

		@Override
		public String getServerAddr() {
			return this.serverAddr;
		}

		@Override
		public @Nullable String getNamespace() {
			return this.namespace;
		}

	}

}
