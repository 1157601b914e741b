package dev.nacosboot.config;

import java.util.Properties;

import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.core.LazyClientProxy;
import dev.nacosboot.core.NacosClients;
import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.core.NacosProperties;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.autoconfigure.ConfigurationPropertiesRebinderAutoConfiguration;
import org.springframework.cloud.autoconfigure.RefreshAutoConfiguration;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.context.properties.ConfigurationPropertiesRebinder;
import org.springframework.cloud.context.scope.refresh.RefreshScope;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.io.ResourceLoader;
import org.springframework.scheduling.TaskScheduler;

/**
 * Hot reload of the config imported with {@code spring.config.import=nacos:...}: a
 * watcher that listens to every refreshable data id and applies changes in place. Needs
 * {@code spring-cloud-context}.
 */
@AutoConfiguration(after = { NacosCoreAutoConfiguration.class, ConfigurationPropertiesRebinderAutoConfiguration.class,
		RefreshAutoConfiguration.class })
@ConditionalOnClass({ ConfigService.class, EnvironmentChangeEvent.class })
@ConditionalOnBooleanProperty(name = NacosConfigProperties.PREFIX + ".enabled", matchIfMissing = true)
@EnableConfigurationProperties(NacosConfigProperties.class)
public final class NacosConfigAutoConfiguration {

	/**
	 * The config client of the configured namespace, the one the imports use, so that an
	 * application that reads or publishes config needs nothing else. A proxy that creates
	 * the client at its first call: a bean that injects it does not bring the client's
	 * creation onto the path to ready. The owner ({@code NacosClients}) shuts it down.
	 */
	@Bean(destroyMethod = "")
	@Lazy
	@ConditionalOnMissingBean
	ConfigService nacosConfigService(NacosClients clients, NacosConnectionDetails connectionDetails,
			NacosProperties nacosProperties, NacosConfigProperties configProperties, ResourceLoader resourceLoader) {
		Properties properties = NacosConfigBootstrap.clientProperties(connectionDetails, nacosProperties,
				configProperties, null);
		return LazyClientProxy.of(ConfigService.class, () -> clients.configService(properties),
				resourceLoader.getClassLoader());
	}

	@Bean
	@ConditionalOnMissingBean
	NacosConfigRefreshHistory nacosConfigRefreshHistory(NacosConfigProperties properties) {
		return new NacosConfigRefreshHistory(properties.getRefresh().getHistorySize());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = NacosConfigProperties.PREFIX + ".refresh.value-injection",
			matchIfMissing = true)
	static ValueInjectionRefresher nacosValueInjectionRefresher() {
		return new ValueInjectionRefresher();
	}

	@Bean
	@ConditionalOnMissingBean
	ConfigChangeApplier nacosConfigChangeApplier(ConfigurableApplicationContext context,
			NacosConfigRefreshHistory history, ObjectProvider<ConfigurationPropertiesRebinder> rebinder,
			ObjectProvider<RefreshScope> refreshScope, ObjectProvider<NacosRefreshScope> ownRefreshScope,
			ObjectProvider<ValueInjectionRefresher> values) {
		return new ConfigChangeApplier(context, history, rebinder, refreshScope, ownRefreshScope, values);
	}

	/**
	 * The {@code refresh} scope of {@code @RefreshScope} beans when Spring Cloud's is
	 * off, as it must be for Spring AOT.
	 */
	@Bean
	@ConditionalOnBooleanProperty(name = "spring.cloud.refresh.enabled", havingValue = false)
	static NacosRefreshScope nacosRefreshScope() {
		return new NacosRefreshScope();
	}

	@Bean
	@ConditionalOnMissingBean
	NacosContextRefreshListener nacosContextRefreshListener(ConfigurableApplicationContext context,
			ConfigChangeApplier applier, ObjectProvider<NacosConfigSources> sources,
			ObjectProvider<NacosConfigWatcher> watcher, ObjectProvider<ValueInjectionRefresher> values) {
		return new NacosContextRefreshListener(context, applier, sources, watcher, values);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(NacosConfigSources.class)
	NacosConfigWatcher nacosConfigWatcher(NacosConfigSources sources, ConfigChangeApplier applier,
			@Qualifier(NacosCoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) TaskScheduler scheduler,
			NacosConfigProperties properties, NacosProperties nacosProperties) {
		return new NacosConfigWatcher(sources, applier, scheduler, properties.getTimeout(),
				nacosProperties.getClientStartDelay());
	}

}
