package dev.nacosboot.actuate;

import dev.nacosboot.config.NacosConfigRefreshHistory;
import dev.nacosboot.config.NacosConfigSources;
import dev.nacosboot.core.NacosClientPropertiesFactory;
import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.loadbalancer.GrayRulesSource;
import dev.nacosboot.registry.NacosAutoServiceRegistration;
import dev.nacosboot.registry.NacosInstanceReconciler;
import dev.nacosboot.registry.NacosRegistration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.Sanitizer;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.context.annotation.Bean;

/**
 * The {@code nacos} Actuator endpoint, when it is available (exposed and not switched
 * off).
 */
@AutoConfiguration(after = NacosActuateAutoConfiguration.class)
@ConditionalOnClass({ ConditionalOnAvailableEndpoint.class, Registration.class })
@ConditionalOnAvailableEndpoint(NacosEndpoint.class)
@ConditionalOnBean(NacosConnectionDetails.class)
public final class NacosEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	NacosEndpoint nacosEndpoint(NacosConnectionDetails connectionDetails,
			ObjectProvider<NacosRegistration> registration,
			ObjectProvider<NacosAutoServiceRegistration> autoRegistration,
			ObjectProvider<NacosInstanceReconciler> reconciler, ObjectProvider<NacosSubscriptions> subscriptions,
			@Qualifier(NacosActuateAutoConfiguration.DISCOVERY_MONITOR) ObjectProvider<NacosConnectionMonitor> discoveryMonitor,
			ObjectProvider<NacosConfigSources> configSources, ObjectProvider<NacosConfigRefreshHistory> history,
			ObjectProvider<NacosConfigConnection> configConnection,
			@Qualifier(NacosActuateAutoConfiguration.CONFIG_MONITOR) ObjectProvider<NacosConnectionMonitor> configMonitor,
			ObjectProvider<GrayRulesSource> grayRules, ObjectProvider<SanitizingFunction> sanitizingFunctions) {
		NacosConnectionDetails discovery = connectionDetails.forDiscovery();
		String namespace = discovery.getNamespace();
		NacosEndpoint.Sources sources = new NacosEndpoint.Sources(registration, autoRegistration, reconciler,
				subscriptions, discoveryMonitor, NacosClientPropertiesFactory.describeServer(discovery),
				(namespace == null || namespace.isBlank()) ? "public" : namespace, configSources, history,
				configConnection, configMonitor, grayRules);
		return new NacosEndpoint(sources, new Sanitizer(sanitizingFunctions.orderedStream().toList()));
	}

}
