package dev.nacosboot.loadbalancer;

import java.util.List;

import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.discovery.NacosDiscoveryAutoConfiguration;
import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.registry.NacosAutoServiceRegistration;
import dev.nacosboot.registry.NacosInstanceReconciler;
import dev.nacosboot.registry.NacosRegistryAutoConfiguration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClients;
import org.springframework.cloud.loadbalancer.config.LoadBalancerAutoConfiguration;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.TaskScheduler;

/**
 * Gray-release load balancing: makes {@link NacosLoadBalancerClientConfiguration} the
 * default of every Spring Cloud LoadBalancer client (the push-fed supplier as the base of
 * Spring Cloud's supplier chains, the gray balancer on top), requeues calls that fail to
 * connect, and keeps the settings live. Off with
 * {@code spring.cloud.nacos.loadbalancer.enabled=false},
 * {@code spring.cloud.loadbalancer.nacos.enabled=false} (Spring Cloud Alibaba's switch:
 * Spring Cloud's own balancer over the Nacos discovery client) or
 * {@code spring.cloud.loadbalancer.enabled=false}; needs Nacos discovery.
 */
@AutoConfiguration(after = { NacosDiscoveryAutoConfiguration.class, NacosRegistryAutoConfiguration.class },
		before = LoadBalancerAutoConfiguration.class)
@ConditionalOnClass(ReactorServiceInstanceLoadBalancer.class)
@ConditionalOnBooleanProperty(name = "spring.cloud.loadbalancer.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "spring.cloud.loadbalancer.nacos.enabled", matchIfMissing = true)
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

	// Without change events (Spring Cloud Alibaba's switch) the supplier's stream ends
	// after one list, so that Spring Cloud's health-check refetch can repeat it.
	@Bean
	@ConditionalOnBooleanProperty(name = "spring.cloud.nacos.discovery.watch.enabled", matchIfMissing = true)
	InstanceChanges nacosInstanceChanges() {
		return new InstanceChanges();
	}

	@Bean
	static LoadBalancerPropertiesRebinds nacosLoadBalancerPropertiesRebinds() {
		return new LoadBalancerPropertiesRebinds();
	}

	@Bean
	@ConditionalOnMissingBean
	InstanceStatsRegistry nacosInstanceStatsRegistry(GrayRulesSource rules,
			@Qualifier(NacosCoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) ObjectProvider<TaskScheduler> scheduler) {
		InstanceStatsRegistry registry = new InstanceStatsRegistry(rules::outliers, System::nanoTime);
		TaskScheduler probes = scheduler.getIfAvailable();
		if (probes != null) {
			registry.probeWith(new TcpConnectProbe(probes, rules::outliers));
		}
		return registry;
	}

	@Bean
	@ConditionalOnMissingBean
	ConnectFailureRequeue nacosConnectFailureRequeue(GrayRulesSource rules) {
		return new ConnectFailureRequeue(rules::requeue, System::nanoTime);
	}

	@Bean
	NacosLoadBalancerLifecycle nacosLoadBalancerLifecycle(InstanceStatsRegistry stats,
			ObjectProvider<ConnectFailureRequeue> requeue) {
		return new NacosLoadBalancerLifecycle(stats, requeue.getIfAvailable());
	}

	@Bean
	static LoadBalancedClientsPostProcessor nacosLoadBalancedClientsPostProcessor(ObjectProvider<GrayRulesSource> rules,
			ObjectProvider<ConnectFailureRequeue> requeue, Environment environment) {
		boolean propagate = environment.getProperty(NacosLoadBalancerProperties.PREFIX + ".header-propagation.enabled",
				Boolean.class, false);
		return new LoadBalancedClientsPostProcessor(
				() -> propagate ? new GrayHeaderPropagation(() -> rules.getObject().propagatedHeaders()) : null,
				requeue::getIfAvailable);
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
		// registration's metadata check counts once every singleton exists.
		@Bean
		@Lazy(false)
		@ConditionalOnMissingBean
		InstanceLoadPublisher nacosInstanceLoadPublisher(InstanceLoadSignal signal, NacosInstanceReconciler reconciler,
				NacosLoadBalancerProperties properties,
				@Qualifier(NacosCoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) TaskScheduler scheduler) {
			return new InstanceLoadPublisher(signal,
					new RegistrationLoadWriter(reconciler, properties.getLoadAware().getMetadataKey()),
					properties.getLoadPublishing(), System::nanoTime, scheduler);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.cloud.openfeign.loadbalancer.FeignBlockingLoadBalancerClient")
	static class OpenFeignConfiguration {

		@Bean
		static FeignClientsPostProcessor nacosFeignClientsPostProcessor(ObjectProvider<ConnectFailureRequeue> requeue) {
			return new FeignClientsPostProcessor(requeue::getIfAvailable);
		}

		@Bean
		@ConditionalOnBooleanProperty(NacosLoadBalancerProperties.PREFIX + ".header-propagation.enabled")
		FeignGrayHeaderInterceptor nacosFeignGrayHeaderInterceptor(GrayRulesSource rules) {
			return new FeignGrayHeaderInterceptor(new GrayHeaderPropagation(rules::propagatedHeaders));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(NacosLoadBalancerProperties.PREFIX + ".header-propagation.enabled")
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnClass(name = "org.springframework.web.server.WebFilter")
	static class ReactiveHeaderPropagationConfiguration {

		@Bean
		ReactiveGrayHeaderFilter nacosGrayHeaderWebFilter(GrayRulesSource rules) {
			return new ReactiveGrayHeaderFilter(new GrayHeaderPropagation(rules::propagatedHeaders));
		}

	}

}
