package dev.nacosboot.loadbalancer;

import dev.nacosboot.discovery.NacosDiscoveryProperties;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.cloud.loadbalancer.core.ReactorLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplierBuilder;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.cloud.loadbalancer.support.LoadBalancerEnvironmentPropertyUtils;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * Default configuration of every load-balancer client context (one per service id): the
 * gray balancer, and Spring Cloud LoadBalancer's supplier chain of the client's
 * {@code spring.cloud.loadbalancer.configurations} with the push-fed
 * {@link NacosServiceInstanceListSupplier} as its base instead of a discovery client
 * behind a cache. The chains are those of Spring Cloud's
 * {@code LoadBalancerClientConfiguration}, which is registered after this one: its beans
 * back off where one here applies, and serve any other value. A client's own
 * {@code @LoadBalancerClient(configuration = ...)} beans come first and win; they may
 * build on the same base with {@link NacosServiceInstanceListSupplier#of}.
 */
@Configuration(proxyBeanMethods = false)
public class NacosLoadBalancerClientConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ReactorLoadBalancer<ServiceInstance> nacosGrayLoadBalancer(Environment environment,
			LoadBalancerClientFactory clientFactory, GrayRulesSource rules,
			ObjectProvider<NacosDiscoveryProperties> discoveryProperties, ObjectProvider<InstanceStatsRegistry> stats,
			ObjectProvider<ConnectFailureRequeue> requeue) {
		String serviceId = LoadBalancerClientFactory.getName(environment);
		NacosDiscoveryProperties discovery = discoveryProperties.getIfAvailable();
		return new NacosGrayLoadBalancer(clientFactory.getLazyProvider(serviceId, ServiceInstanceListSupplier.class),
				serviceId, rules, (discovery != null) ? discovery.getClusterName() : null, stats.getIfAvailable(),
				requeue.getIfAvailable());
	}

	/**
	 * The supplier chains of Spring Cloud's configurations on the push-fed base. No
	 * caching layer: the base answers from memory and is never staler than the last push.
	 */
	@Configuration(proxyBeanMethods = false)
	static class SupplierChains {

		@Bean
		@ConditionalOnMissingBean
		@Conditional(DefaultChain.class)
		ServiceInstanceListSupplier nacosServiceInstanceListSupplier(ConfigurableApplicationContext context) {
			return NacosServiceInstanceListSupplier.of(context);
		}

		@Bean
		@ConditionalOnMissingBean
		@Conditional(ZonePreferenceChain.class)
		ServiceInstanceListSupplier nacosZonePreferenceServiceInstanceListSupplier(
				ConfigurableApplicationContext context) {
			return nacosBase(context).withZonePreference().build(context);
		}

		@Bean
		@ConditionalOnMissingBean
		@Conditional(RequestBasedStickySessionChain.class)
		ServiceInstanceListSupplier nacosRequestBasedStickySessionServiceInstanceListSupplier(
				ConfigurableApplicationContext context) {
			return nacosBase(context).withRequestBasedStickySession().build(context);
		}

		@Bean
		@ConditionalOnMissingBean
		@Conditional(SameInstancePreferenceChain.class)
		ServiceInstanceListSupplier nacosSameInstancePreferenceServiceInstanceListSupplier(
				ConfigurableApplicationContext context) {
			return nacosBase(context).withSameInstancePreference().build(context);
		}

		@Bean
		@ConditionalOnMissingBean
		@Conditional(WeightedChain.class)
		ServiceInstanceListSupplier nacosWeightedServiceInstanceListSupplier(ConfigurableApplicationContext context) {
			return nacosBase(context).withWeighted().build(context);
		}

		@Bean
		@ConditionalOnMissingBean
		@Conditional(SubsetChain.class)
		ServiceInstanceListSupplier nacosSubsetServiceInstanceListSupplier(ConfigurableApplicationContext context) {
			return nacosBase(context).withSubset().build(context);
		}

	}

	/**
	 * Chains that differ between reactive and blocking applications, chosen as Spring
	 * Cloud chooses them: the reactive one when there is a reactive discovery client.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(ReactiveDiscoveryClient.class)
	@Order(1)
	static class ReactiveSupplierChains {

		@Bean
		@ConditionalOnBean(type = "org.springframework.web.reactive.function.client.WebClient$Builder")
		@ConditionalOnMissingBean
		@Conditional(HealthCheckChain.class)
		ServiceInstanceListSupplier nacosHealthCheckServiceInstanceListSupplier(
				ConfigurableApplicationContext context) {
			return nacosBase(context).withHealthChecks().build(context);
		}

		@Bean
		@ConditionalOnMissingBean
		@Conditional(ApiVersionChain.class)
		ServiceInstanceListSupplier nacosReactiveApiVersionServiceInstanceListSupplier(
				ConfigurableApplicationContext context) {
			return nacosBase(context).withReactiveApiVersioning().build(context);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Order(2)
	static class BlockingSupplierChains {

		@Bean
		@ConditionalOnBean(RestTemplate.class)
		@ConditionalOnMissingBean
		@Conditional(HealthCheckChain.class)
		ServiceInstanceListSupplier nacosBlockingHealthCheckServiceInstanceListSupplier(
				ConfigurableApplicationContext context) {
			return nacosBase(context).withBlockingHealthChecks().build(context);
		}

		@Bean
		@ConditionalOnBean(RestClient.class)
		@ConditionalOnMissingBean
		@Conditional(HealthCheckChain.class)
		ServiceInstanceListSupplier nacosRestClientHealthCheckServiceInstanceListSupplier(
				ConfigurableApplicationContext context) {
			return nacosBase(context).withBlockingRestClientHealthChecks().build(context);
		}

		@Bean
		@ConditionalOnMissingBean
		@Conditional(ApiVersionChain.class)
		ServiceInstanceListSupplier nacosBlockingApiVersionServiceInstanceListSupplier(
				ConfigurableApplicationContext context) {
			return nacosBase(context).withBlockingApiVersioning().build(context);
		}

	}

	private static ServiceInstanceListSupplierBuilder nacosBase(ConfigurableApplicationContext context) {
		return ServiceInstanceListSupplier.builder().withBase(NacosServiceInstanceListSupplier.of(context));
	}

	/**
	 * Matches when the client's (or the default)
	 * {@code spring.cloud.loadbalancer.configurations} names the chain.
	 */
	abstract static class ChainCondition implements Condition {

		private final String name;

		ChainCondition(String name) {
			this.name = name;
		}

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return LoadBalancerEnvironmentPropertyUtils.equalToForClientOrDefault(context.getEnvironment(),
					"configurations", this.name);
		}

	}

	static final class DefaultChain implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return LoadBalancerEnvironmentPropertyUtils.equalToOrMissingForClientOrDefault(context.getEnvironment(),
					"configurations", "default");
		}

	}

	static final class ZonePreferenceChain extends ChainCondition {

		ZonePreferenceChain() {
			super("zone-preference");
		}

	}

	static final class HealthCheckChain extends ChainCondition {

		HealthCheckChain() {
			super("health-check");
		}

	}

	static final class RequestBasedStickySessionChain extends ChainCondition {

		RequestBasedStickySessionChain() {
			super("request-based-sticky-session");
		}

	}

	static final class SameInstancePreferenceChain extends ChainCondition {

		SameInstancePreferenceChain() {
			super("same-instance-preference");
		}

	}

	static final class WeightedChain extends ChainCondition {

		WeightedChain() {
			super("weighted");
		}

	}

	static final class SubsetChain extends ChainCondition {

		SubsetChain() {
			super("subset");
		}

	}

	static final class ApiVersionChain extends ChainCondition {

		ApiVersionChain() {
			super("api-version");
		}

	}

}
