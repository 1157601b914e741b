package dev.nacosboot.config;

import dev.nacosboot.core.NacosCoreAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

class NacosConfigAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(NacosConfigAutoConfiguration.class));

	@Test
	void runWithoutImportedSourcesShouldCreateApplierButNoWatcher() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ConfigChangeApplier.class)
				.hasSingleBean(NacosConfigRefreshHistory.class)
				.hasSingleBean(ValueInjectionRefresher.class)
				.doesNotHaveBean(NacosConfigWatcher.class);
		});
	}

	@Test
	void runWithImportedSourcesShouldCreateWatcher() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(NacosCoreAutoConfiguration.class))
			.withBean(NacosConfigSources.BEAN_NAME, NacosConfigSources.class, NacosConfigSources::new)
			.run((context) -> assertThat(context).hasSingleBean(NacosConfigWatcher.class));
	}

	@Test
	void runWithAnInvalidSettingShouldFailAtBindingEvenWithAUserDefinedHistory() {
		this.contextRunner.withPropertyValues("spring.cloud.nacos.config.timeout=0s")
			.withBean(NacosConfigRefreshHistory.class, () -> new NacosConfigRefreshHistory(5))
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(BindValidationException.class)
				.hasMessageContaining("spring.cloud.nacos.config.timeout"));
	}

	@Test
	void runLazilyWithAnInvalidSettingShouldFailWhenTheSettingsAreBound() {
		this.contextRunner.withPropertyValues("spring.cloud.nacos.config.refresh.history-size=-1")
			.withInitializer(
					(context) -> context.addBeanFactoryPostProcessor(new LazyInitializationBeanFactoryPostProcessor()))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThatException().isThrownBy(() -> context.getBean(NacosConfigProperties.class))
					.havingRootCause()
					.isInstanceOf(BindValidationException.class)
					.withMessageContaining("spring.cloud.nacos.config")
					.withMessageContaining("refresh.history-size");
			});
	}

	@Test
	void runWithValidSettingsShouldBindSpringCloudAlibabasNames() {
		this.contextRunner
			.withPropertyValues("spring.cloud.nacos.config.timeout=3000", "spring.cloud.nacos.config.preference=remote",
					"spring.cloud.nacos.config.ext-config[0].data-id=ext.yaml", "spring.cloud.nacos.config.max-retry=5",
					"spring.cloud.nacos.config.import-check.enabled=true")
			.run((context) -> {
				NacosConfigProperties properties = context.getBean(NacosConfigProperties.class);
				assertThat(properties.getTimeout()).hasSeconds(3);
				assertThat(properties.getPreference()).isEqualTo(NacosConfigPreference.REMOTE);
				assertThat(properties.getExtensionConfigs()).singleElement()
					.satisfies((entry) -> assertThat(entry.getDataId()).isEqualTo("ext.yaml"));
				assertThat(properties.getMaxRetry()).isEqualTo(5);
				assertThat(properties.getImportCheck().isEnabled()).isTrue();
			});
	}

	@Test
	void runWhenDisabledShouldCreateNothing() {
		this.contextRunner.withPropertyValues("spring.cloud.nacos.config.enabled=false")
			.withBean(NacosConfigSources.BEAN_NAME, NacosConfigSources.class, NacosConfigSources::new)
			.run((context) -> assertThat(context).doesNotHaveBean(NacosConfigWatcher.class)
				.doesNotHaveBean(ConfigChangeApplier.class));
	}

	@Test
	void runWhenValueInjectionIsOffShouldNotUpdateValueMembers() {
		this.contextRunner.withPropertyValues("spring.cloud.nacos.config.refresh.value-injection=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ValueInjectionRefresher.class));
	}

	@Test
	void runWithoutSpringCloudContextShouldCreateNothing() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(EnvironmentChangeEvent.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ConfigChangeApplier.class));
	}

	@Test
	void runWithUserHistoryShouldBackOff() {
		this.contextRunner.withBean(NacosConfigRefreshHistory.class, () -> new NacosConfigRefreshHistory(3))
			.run((context) -> assertThat(context).hasSingleBean(NacosConfigRefreshHistory.class));
	}

	@Test
	void historyKeepsTheConfiguredNumberOfRefreshes() {
		this.contextRunner.withPropertyValues("spring.cloud.nacos.config.refresh.history-size=2").run((context) -> {
			NacosConfigRefreshHistory history = context.getBean(NacosConfigRefreshHistory.class);
			for (int i = 0; i < 3; i++) {
				history.record(new NacosConfigRefreshHistory.Refresh("s", "d" + i, "g", "m", java.util.Set.of(),
						java.time.Duration.ZERO, NacosConfigRefreshHistory.Outcome.APPLIED, null,
						java.time.Instant.now()));
			}
			assertThat(history.refreshes()).extracting(NacosConfigRefreshHistory.Refresh::dataId)
				.containsExactly("d2", "d1");
		});
	}

}
