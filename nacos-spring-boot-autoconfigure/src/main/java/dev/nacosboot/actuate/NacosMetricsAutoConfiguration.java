package dev.nacosboot.actuate;

import dev.nacosboot.config.NacosConfigRefreshHistory;
import dev.nacosboot.loadbalancer.InstanceStatsRegistry;
import dev.nacosboot.registry.NacosAutoServiceRegistration;
import dev.nacosboot.registry.NacosRegistration;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.client.loadbalancer.LoadBalancerLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer meters of the Nacos clients ({@link NacosMetrics}); bound to the
 * application's meter registries by Spring Boot.
 */
@AutoConfiguration(after = NacosActuateAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(NacosStateSampling.class)
public final class NacosMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	NacosMetrics nacosMetrics(
			@Qualifier(NacosActuateAutoConfiguration.DISCOVERY_MONITOR) ObjectProvider<NacosConnectionMonitor> discoveryMonitor,
			@Qualifier(NacosActuateAutoConfiguration.CONFIG_MONITOR) ObjectProvider<NacosConnectionMonitor> configMonitor,
			ObjectProvider<NacosRegistration> registration,
			ObjectProvider<NacosAutoServiceRegistration> autoRegistration,
			ObjectProvider<NacosSubscriptions> subscriptions, ObjectProvider<NacosConfigRefreshHistory> history) {
		return new NacosMetrics(discoveryMonitor.getIfAvailable(), configMonitor.getIfAvailable(),
				registration.getIfAvailable(), autoRegistration.getIfAvailable(), subscriptions.getIfAvailable(),
				history.getIfAvailable());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(LoadBalancerLifecycle.class)
	static class LoadBalancerMetricsConfiguration {

		// A lifecycle bean of the application context is seen by every load-balancer
		// client's child context.
		@Bean
		@ConditionalOnMissingBean
		NacosLoadBalancerMetrics nacosLoadBalancerMetrics(ObjectProvider<InstanceStatsRegistry> outliers) {
			NacosLoadBalancerMetrics metrics = new NacosLoadBalancerMetrics();
			outliers.ifAvailable((registry) -> registry.onEjection(metrics::ejected));
			return metrics;
		}

	}

}
