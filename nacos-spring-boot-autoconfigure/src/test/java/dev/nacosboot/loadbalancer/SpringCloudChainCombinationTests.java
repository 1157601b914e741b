package dev.nacosboot.loadbalancer;

import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultRequest;
import org.springframework.cloud.client.loadbalancer.LoadBalancerClientsProperties;
import org.springframework.cloud.client.loadbalancer.RequestData;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.loadbalancer.core.HintBasedServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.WeightedServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.util.LinkedMultiValueMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a Spring Cloud supplier overlaps the gray balancer: {@code weighted} repeats an
 * instance by its {@code weight} metadata, which multiplies its Nacos weight;
 * {@code hints} narrows the list first, and the version rules then route within what is
 * left.
 */
class SpringCloudChainCombinationTests {

	private static final int DRAWS = 20_000;

	@Test
	void weightedSupplierShouldMultiplyTheNacosWeightByItsWeightMetadata() {
		ServiceInstance light = instance("light", 1.0, Map.of("weight", "1"));
		ServiceInstance heavy = instance("heavy", 1.0, Map.of("weight", "3"));
		NacosGrayLoadBalancer balancer = balancer(new WeightedServiceInstanceListSupplier(fixed(List.of(light, heavy))),
				new NacosLoadBalancerProperties());
		draw(balancer, Map.of()).assertShare("heavy", 0.75, "weight metadata 3 against 1, Nacos weights 1");

		ServiceInstance nacosHeavy = instance("nacos-heavy", 2.0, Map.of("weight", "1"));
		ServiceInstance metadataHeavy = instance("metadata-heavy", 1.0, Map.of("weight", "3"));
		NacosGrayLoadBalancer both = balancer(
				new WeightedServiceInstanceListSupplier(fixed(List.of(nacosHeavy, metadataHeavy))),
				new NacosLoadBalancerProperties());
		draw(both, Map.of()).assertShare("metadata-heavy", 0.6, "Nacos weight 2 x 1 against 1 x 3");
	}

	@Test
	void hintsShouldNarrowTheListAndVersionRulesRouteWithinIt() {
		ServiceInstance zoneAv1 = instance("a-v1", 1.0, Map.of("hint", "zone-a", "version", "v1"));
		ServiceInstance zoneAv2 = instance("a-v2", 1.0, Map.of("hint", "zone-a", "version", "v2"));
		ServiceInstance zoneBv1 = instance("b-v1", 1.0, Map.of("hint", "zone-b", "version", "v1"));
		NacosLoadBalancerProperties properties = new NacosLoadBalancerProperties();
		NacosLoadBalancerProperties.ServiceRule rule = new NacosLoadBalancerProperties.ServiceRule();
		rule.setStableVersion("v1");
		properties.getServices().put("orders", rule);
		LoadBalancerClientFactory factory = new LoadBalancerClientFactory(new LoadBalancerClientsProperties());
		NacosGrayLoadBalancer balancer = balancer(
				new HintBasedServiceInstanceListSupplier(fixed(List.of(zoneAv1, zoneAv2, zoneBv1)), factory),
				properties);
		for (int i = 0; i < 200; i++) {
			assertThat(choose(balancer, Map.of("X-SC-LB-Hint", "zone-a", "X-Gray-Version", "v2"))).isEqualTo("a-v2");
			assertThat(choose(balancer, Map.of("X-SC-LB-Hint", "zone-a"))).isEqualTo("a-v1");
			// No v2 in zone b: the missing-version policy (fallback) within the hinted
			// list.
			assertThat(choose(balancer, Map.of("X-SC-LB-Hint", "zone-b", "X-Gray-Version", "v2"))).isEqualTo("b-v1");
		}
		Draws withoutHint = draw(balancer, Map.of("X-Gray-Version", "v1"));
		withoutHint.assertShare("a-v1", 0.5, "no hint: every v1 instance");
	}

	private static Draws draw(NacosGrayLoadBalancer balancer, Map<String, String> headers) {
		Draws draws = new Draws();
		for (int i = 0; i < DRAWS; i++) {
			draws.add(choose(balancer, headers));
		}
		return draws;
	}

	private static String choose(NacosGrayLoadBalancer balancer, Map<String, String> headerValues) {
		HttpHeaders headers = new HttpHeaders();
		headerValues.forEach(headers::add);
		Response<ServiceInstance> response = balancer
			.choose(new DefaultRequest<>(new RequestDataContext(new RequestData(HttpMethod.GET,
					URI.create("http://orders/x"), headers, new LinkedMultiValueMap<>(), new HashMap<>()))))
			.block();
		assertThat(response).isNotNull();
		assertThat(response.hasServer()).isTrue();
		return response.getServer().getInstanceId();
	}

	private static ServiceInstance instance(String id, double nacosWeight, Map<String, String> metadata) {
		Map<String, String> all = new LinkedHashMap<>(metadata);
		all.put("nacos.weight", String.valueOf(nacosWeight));
		all.put("nacos.healthy", "true");
		return new DefaultServiceInstance(id, "orders", "10.0.0." + (Math.abs(id.hashCode()) % 200 + 1), 8080, false,
				all);
	}

	private static NacosGrayLoadBalancer balancer(ServiceInstanceListSupplier supplier,
			NacosLoadBalancerProperties properties) {
		StaticListableBeanFactory beans = new StaticListableBeanFactory();
		beans.addBean("supplier", supplier);
		return new NacosGrayLoadBalancer(beans.getBeanProvider(ServiceInstanceListSupplier.class), "orders",
				new GrayRulesSource(properties, (serviceId) -> List.of()), null, new InstanceStatsRegistry(properties));
	}

	private static ServiceInstanceListSupplier fixed(List<ServiceInstance> instances) {
		return new ServiceInstanceListSupplier() {

			@Override
			public String getServiceId() {
				return "orders";
			}

			@Override
			public Flux<List<ServiceInstance>> get() {
				return Flux.just(instances);
			}

		};
	}

}
