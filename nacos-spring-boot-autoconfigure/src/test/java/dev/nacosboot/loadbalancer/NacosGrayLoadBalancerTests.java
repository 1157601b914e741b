package dev.nacosboot.loadbalancer;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultRequest;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestData;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.util.LinkedMultiValueMap;

import static dev.nacosboot.loadbalancer.TestInstances.instance;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The balancer over a supplier other than the push-fed one (the generic Reactor path) and
 * the behaviour both paths share: header names in any case, no instance as an empty
 * response, the supplier looked up once.
 */
class NacosGrayLoadBalancerTests {

	private final ServiceInstance v1 = instance("v1").version("v1").build();

	private final ServiceInstance v2 = instance("v2").version("v2").build();

	@Test
	void versionHeaderShouldMatchWhateverCaseTheRequestUses() {
		NacosGrayLoadBalancer balancer = balancer(fixed(List.of(this.v1, this.v2)), new NacosLoadBalancerProperties());
		for (String name : List.of("X-Gray-Version", "x-gray-version", "X-GRAY-VERSION")) {
			for (int i = 0; i < 20; i++) {
				assertThat(chosen(balancer, request(name, "v2"))).as(name).isSameAs(this.v2);
			}
		}
	}

	@Test
	void configuredHeaderNamesShouldMatchWhateverCaseTheyAreWrittenIn() {
		NacosLoadBalancerProperties properties = new NacosLoadBalancerProperties();
		properties.setVersionHeader("X-Canary-VERSION");
		NacosGrayLoadBalancer balancer = balancer(fixed(List.of(this.v1, this.v2)), properties);
		assertThat(chosen(balancer, request("x-canary-version", "v1"))).isSameAs(this.v1);
		assertThat(chosen(balancer, request("X-CANARY-VERSION", "v2"))).isSameAs(this.v2);
	}

	@Test
	void supplierWithoutListShouldGiveAnEmptyResponse() {
		ServiceInstanceListSupplier none = supplier(Flux::empty);
		Response<ServiceInstance> response = balancer(none, new NacosLoadBalancerProperties())
			.choose(request("X-Gray-Version", "v1"))
			.block();
		assertThat(response).isNotNull();
		assertThat(response.hasServer()).isFalse();
	}

	@Test
	void supplierWithEmptyListShouldGiveAnEmptyResponse() {
		Response<ServiceInstance> response = balancer(fixed(List.of()), new NacosLoadBalancerProperties())
			.choose(request("X-Gray-Version", "v1"))
			.block();
		assertThat(response).isNotNull();
		assertThat(response.hasServer()).isFalse();
	}

	@Test
	void supplierShouldBeLookedUpOnceNotPerRequest() {
		AtomicInteger lookups = new AtomicInteger();
		StaticListableBeanFactory beans = new StaticListableBeanFactory();
		beans.addBean("supplier", fixed(List.of(this.v1)));
		ObjectProvider<ServiceInstanceListSupplier> counting = new ObjectProvider<>() {

			@Override
			public ServiceInstanceListSupplier getObject() {
				lookups.incrementAndGet();
				return beans.getBean(ServiceInstanceListSupplier.class);
			}

			@Override
			public ServiceInstanceListSupplier getIfAvailable() {
				return getObject();
			}

		};
		NacosGrayLoadBalancer balancer = new NacosGrayLoadBalancer(counting, "orders",
				rules(new NacosLoadBalancerProperties()), null);
		for (int i = 0; i < 10; i++) {
			assertThat(chosen(balancer, request("X-Gray-Version", "v1"))).isSameAs(this.v1);
		}
		assertThat(lookups).hasValue(1);
	}

	@Test
	void choiceShouldBeMadeWhenSubscribedNotWhenAsked() {
		AtomicInteger reads = new AtomicInteger();
		ServiceInstanceListSupplier counting = supplier(() -> Flux.defer(() -> {
			reads.incrementAndGet();
			return Flux.just(List.of(this.v1));
		}));
		Mono<Response<ServiceInstance>> choice = balancer(counting, new NacosLoadBalancerProperties())
			.choose(request("X-Gray-Version", "v1"));
		assertThat(reads).hasValue(0);
		assertThat(choice.block().getServer()).isSameAs(this.v1);
		assertThat(reads).hasValue(1);
	}

	@Test
	void listsThatAlternatePerRequestShouldReuseTheirRoutingTables() {
		NacosGrayLoadBalancer balancer = balancer(fixed(List.of(this.v1, this.v2)), new NacosLoadBalancerProperties());
		List<ServiceInstance> zoneA = List.of(this.v1);
		List<ServiceInstance> zoneB = List.of(this.v2);
		GrayRoutingTable forA = balancer.tableFor(zoneA);
		GrayRoutingTable forB = balancer.tableFor(zoneB);
		for (int i = 0; i < 10; i++) {
			assertThat(balancer.tableFor(zoneA)).isSameAs(forA);
			assertThat(balancer.tableFor(zoneB)).isSameAs(forB);
		}
		// An equal list in a new object, as a filtering supplier hands out: the same
		// routing, remembered for that object.
		List<ServiceInstance> equalToA = new java.util.ArrayList<>(zoneA);
		GrayRoutingTable forEqual = balancer.tableFor(equalToA);
		assertThat(forEqual.stableInstances()).isEqualTo(forA.stableInstances());
		assertThat(balancer.tableFor(equalToA)).isSameAs(forEqual);
	}

	private NacosGrayLoadBalancer balancer(ServiceInstanceListSupplier supplier,
			NacosLoadBalancerProperties properties) {
		StaticListableBeanFactory beans = new StaticListableBeanFactory();
		beans.addBean("supplier", supplier);
		return new NacosGrayLoadBalancer(beans.getBeanProvider(ServiceInstanceListSupplier.class), "orders",
				rules(properties), null, new InstanceStatsRegistry(properties));
	}

	private static GrayRulesSource rules(NacosLoadBalancerProperties properties) {
		return new GrayRulesSource(properties, (serviceId) -> List.of());
	}

	private static ServiceInstanceListSupplier fixed(List<ServiceInstance> instances) {
		return supplier(() -> Flux.just(instances));
	}

	private static ServiceInstanceListSupplier supplier(
			java.util.function.Supplier<Flux<List<ServiceInstance>>> lists) {
		return new ServiceInstanceListSupplier() {

			@Override
			public String getServiceId() {
				return "orders";
			}

			@Override
			public Flux<List<ServiceInstance>> get() {
				return lists.get();
			}

		};
	}

	private static ServiceInstance chosen(NacosGrayLoadBalancer balancer, Request<RequestDataContext> request) {
		Response<ServiceInstance> response = balancer.choose(request).block();
		assertThat(response).isNotNull();
		return response.getServer();
	}

	private static Request<RequestDataContext> request(String header, String value) {
		HttpHeaders headers = new HttpHeaders();
		headers.add(header, value);
		return new DefaultRequest<>(new RequestDataContext(new RequestData(HttpMethod.GET,
				URI.create("http://orders/api"), headers, new LinkedMultiValueMap<>(), Map.of())));
	}

}
