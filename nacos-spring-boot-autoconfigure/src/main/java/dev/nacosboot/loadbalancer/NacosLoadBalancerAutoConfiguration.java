package dev.nacosboot.loadbalancer;

import java.util.List;

import dev.nacosboot.discovery.NacosDiscoveryAutoConfiguration;
import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.registry.NacosAutoServiceRegistration;
import dev.nacosboot.registry.NacosInstanceReconciler;
import dev.nacosboot.registry.NacosRegistryAutoConfiguration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClients;
import org.springframework.cloud.loadbalancer.config.LoadBalancerAutoConfiguration;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.env.Environment;

/**
 * Gray-release load balancing: makes {@link NacosLoadBalancerClientConfiguration} the
 * default of every Spring Cloud LoadBalancer client and keeps the rules live. Off with
 * {@code spring.cloud.nacos.loadbalancer.enabled=false} or
 * {@code spring.cloud.loadbalancer.enabled=false}; needs Nacos discovery.
 */
@AutoConfiguration(after = { NacosDiscoveryAutoConfiguration.class, NacosRegistryAutoConfiguration.class },
		before = LoadBalancerAutoConfiguration.class)
@ConditionalOnClass(ReactorServiceInstanceLoadBalancer.class)
@ConditionalOnBooleanProperty(name = "spring.cloud.loadbalancer.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = NacosLoadBalancerProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnBean(NacosInstanceView.class)
@EnableConfigurationProperties(NacosLoadBalancerProperties.class)
@LoadBalancerClients(defaultConfiguration = NacosLoadBalancerClientConfiguration.class)
public final class NacosLoadBalancerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	GrayRulesSource grayRulesSource(NacosLoadBalancerProperties properties, ObjectProvider<NacosInstanceView> view) {
		return new GrayRulesSource(properties, (serviceId) -> {
			NacosInstanceView instances = view.getIfAvailable();
			return (instances != null) ? instances.getInstances(serviceId) : List.<ServiceInstance>of();
		});
	}

	@Bean
	@ConditionalOnMissingBean
	InstanceStatsRegistry nacosInstanceStatsRegistry(NacosLoadBalancerProperties properties) {
		return new InstanceStatsRegistry(properties);
	}

	@Bean
	NacosLoadBalancerLifecycle nacosLoadBalancerLifecycle(InstanceStatsRegistry stats) {
		return new NacosLoadBalancerLifecycle(stats);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(NacosAutoServiceRegistration.class)
	@ConditionalOnBean(NacosAutoServiceRegistration.class)
	@ConditionalOnBooleanProperty(name = NacosLoadBalancerProperties.PREFIX + ".load-publishing.enabled",
			matchIfMissing = true)
	static class LoadPublishingConfiguration {

		@Bean
		@ConditionalOnMissingBean
		InstanceLoadSignal nacosInstanceLoadSignal() {
			return new CpuLoadSignal();
		}

		// Eager even with lazy initialization: it announces its metadata entry, which the
		// registration's metadata
		// check counts once every singleton exists.
		@Bean
		@Lazy(false)
		@ConditionalOnMissingBean
		InstanceLoadPublisher nacosInstanceLoadPublisher(InstanceLoadSignal signal, NacosInstanceReconciler reconciler,
				NacosLoadBalancerProperties properties) {
			return new InstanceLoadPublisher(signal,
					new RegistrationLoadWriter(reconciler, properties.getLoadAware().getMetadataKey()),
					properties.getLoadPublishing(), System::nanoTime);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(NacosLoadBalancerProperties.PREFIX + ".header-propagation.enabled")
	static class HeaderPropagationConfiguration {

		@Bean
		static GrayHeaderPropagationPostProcessor nacosGrayHeaderPropagationPostProcessor(
				ObjectProvider<GrayRulesSource> rules, Environment environment) {
			return new GrayHeaderPropagationPostProcessor(() -> {
				NacosLoadBalancerProperties properties = Binder.get(environment)
					.bindOrCreate(NacosLoadBalancerProperties.PREFIX, NacosLoadBalancerProperties.class);
				return new GrayHeaderPropagation(() -> rules.getObject().current().versionHeader(),
						properties.getHeaderPropagation().getHeaders());
			});
		}

		@Bean
		@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
		@ConditionalOnClass(name = "org.springframework.web.server.WebFilter")
		ReactiveGrayHeaderFilter nacosGrayHeaderWebFilter(GrayRulesSource rules,
				NacosLoadBalancerProperties properties) {
			return new ReactiveGrayHeaderFilter(new GrayHeaderPropagation(() -> rules.current().versionHeader(),
					properties.getHeaderPropagation().getHeaders()));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(EnvironmentChangeEvent.class)
	static class LiveRulesConfiguration {

		@Bean
		GrayRulesRefresher grayRulesRefresher(Environment environment, GrayRulesSource source) {
			return new GrayRulesRefresher(environment, source);
		}

	}

}
