package dev.nacosboot.loadbalancer;

import dev.nacosboot.discovery.NacosDiscoveryProperties;
import dev.nacosboot.discovery.NacosInstanceView;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.ReactorLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Default configuration of every load-balancer client context (one per service id): the
 * push-driven supplier and the gray balancer. It is registered before Spring Cloud's
 * {@code LoadBalancerClientConfiguration}, whose beans then back off; a client's own
 * {@code @LoadBalancerClient(configuration = ...)} beans come first and win.
 */
@Configuration(proxyBeanMethods = false)
public class NacosLoadBalancerClientConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ServiceInstanceListSupplier nacosServiceInstanceListSupplier(NacosInstanceView view, Environment environment) {
		return new NacosServiceInstanceListSupplier(view, LoadBalancerClientFactory.getName(environment));
	}

	@Bean
	@ConditionalOnMissingBean
	ReactorLoadBalancer<ServiceInstance> nacosGrayLoadBalancer(Environment environment,
			LoadBalancerClientFactory clientFactory, GrayRulesSource rules,
			ObjectProvider<NacosDiscoveryProperties> discoveryProperties, ObjectProvider<InstanceStatsRegistry> stats) {
		String serviceId = LoadBalancerClientFactory.getName(environment);
		NacosDiscoveryProperties discovery = discoveryProperties.getIfAvailable();
		return new NacosGrayLoadBalancer(clientFactory.getLazyProvider(serviceId, ServiceInstanceListSupplier.class),
				serviceId, rules, (discovery != null) ? discovery.getClusterName() : null, stats.getIfAvailable());
	}

}
