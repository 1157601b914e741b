package dev.nacosboot.actuate;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.nacosboot.config.NacosConfigRefreshHistory;
import dev.nacosboot.config.NacosConfigSources;
import dev.nacosboot.core.NacosClientPropertiesFactory;
import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.registry.NacosAutoServiceRegistration;
import dev.nacosboot.registry.NacosRegistration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code nacos} health contributor with the components {@code discovery} (switched by
 * {@code management.health.nacos-discovery.enabled}) and {@code config}
 * ({@code management.health.nacos-config.enabled}). Not part of the liveness or readiness
 * groups unless the user adds it.
 */
@AutoConfiguration(after = NacosActuateAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
public final class NacosHealthContributorAutoConfiguration {

	/** Name of the contributor bean; the contributor is {@code nacos}. */
	public static final String BEAN_NAME = "nacosHealthContributor";

	@Bean(name = BEAN_NAME)
	@ConditionalOnMissingBean(name = BEAN_NAME)
	@ConditionalOnBean(NacosHealthComponent.class)
	CompositeHealthContributor nacosHealthContributor(ObjectProvider<NacosHealthComponent> components) {
		Map<String, HealthContributor> contributors = new LinkedHashMap<>();
		components.orderedStream().forEach((component) -> contributors.put(component.name(), component.indicator()));
		return CompositeHealthContributor.fromMap(contributors);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnEnabledHealthIndicator("nacos-discovery")
	@ConditionalOnBean(name = NacosActuateAutoConfiguration.DISCOVERY_MONITOR)
	static class DiscoveryHealthConfiguration {

		@Bean
		NacosHealthComponent nacosDiscoveryHealthComponent(
				@Qualifier(NacosActuateAutoConfiguration.DISCOVERY_MONITOR) NacosConnectionMonitor monitor,
				NacosConnectionDetails connectionDetails, ObjectProvider<NacosAutoServiceRegistration> autoRegistration,
				ObjectProvider<NacosRegistration> registration, ObjectProvider<NacosSubscriptions> subscriptions) {
			NacosConnectionDetails discovery = connectionDetails.forDiscovery();
			return new NacosHealthComponent("discovery",
					new NacosDiscoveryHealthIndicator(monitor, NacosClientPropertiesFactory.describeServer(discovery),
							namespace(discovery), autoRegistration.getIfAvailable(), registration.getIfAvailable(),
							subscriptions.getIfAvailable()));
		}

		private static String namespace(NacosConnectionDetails discovery) {
			String namespace = discovery.getNamespace();
			return (namespace == null || namespace.isBlank()) ? "public" : namespace;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnEnabledHealthIndicator("nacos-config")
	@ConditionalOnBean(name = NacosActuateAutoConfiguration.CONFIG_MONITOR)
	static class ConfigHealthConfiguration {

		@Bean
		NacosHealthComponent nacosConfigHealthComponent(
				@Qualifier(NacosActuateAutoConfiguration.CONFIG_MONITOR) NacosConnectionMonitor monitor,
				NacosConfigConnection connection, NacosConfigSources sources,
				ObjectProvider<NacosConfigRefreshHistory> history) {
			return new NacosHealthComponent("config",
					new NacosConfigHealthIndicator(monitor, connection, sources, history.getIfAvailable()));
		}

	}

	/**
	 * One component of the {@code nacos} contributor. Not a contributor itself, so that
	 * it is not registered on its own as well.
	 *
	 * @param name the component's name under {@code nacos}
	 * @param indicator the indicator
	 */
	public record NacosHealthComponent(String name, HealthIndicator indicator) {
	}

}
