package dev.nacosboot.benchmarks;

import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.loadbalancer.GrayRulesSource;
import dev.nacosboot.loadbalancer.InstanceStatsRegistry;
import dev.nacosboot.loadbalancer.NacosGrayLoadBalancer;
import dev.nacosboot.loadbalancer.NacosLoadBalancerProperties;
import dev.nacosboot.loadbalancer.NacosServiceInstanceListSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.loadbalancer.DefaultRequest;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestData;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.loadbalancer.cache.DefaultLoadBalancerCacheManager;
import org.springframework.cloud.loadbalancer.cache.LoadBalancerCacheProperties;
import org.springframework.cloud.loadbalancer.config.LoadBalancerZoneConfig;
import org.springframework.cloud.loadbalancer.core.CachingServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.DiscoveryClientServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.RoundRobinLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.ZonePreferenceServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.util.LinkedMultiValueMap;

/**
 * {@code choose()} of the gray-release balancer (weights 1-5, 10 % of the instances on
 * version v2 with a 10 % canary rule) against Spring Cloud's
 * {@link RoundRobinLoadBalancer}, over the same instances, as a {@code @LoadBalanced}
 * client calls them (a request carrying its HTTP headers):
 * <ul>
 * <li>{@code gray}: the starter's default chain, the push-fed supplier alone;</li>
 * <li>{@code grayZonePreference}: the starter's chain of
 * {@code spring.cloud.loadbalancer.configurations=zone-preference}, Spring Cloud's
 * delegating supplier over the push-fed one (the generic Reactor path);</li>
 * <li>{@code roundRobin}, the reference: Spring Cloud's default chain, what
 * {@code spring.cloud.loadbalancer.nacos.enabled=false} gives - the Nacos discovery
 * client behind Spring Cloud's cache;</li>
 * <li>{@code roundRobinPushFed}: round-robin over the push-fed supplier.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChooseBenchmark {

	private static final String SERVICE = "orders";

	@Param({ "10", "100", "1000" })
	public int instances;

	private NacosGrayLoadBalancer gray;

	private NacosGrayLoadBalancer grayZonePreference;

	private RoundRobinLoadBalancer roundRobin;

	private RoundRobinLoadBalancer roundRobinPushFed;

	private Request<RequestDataContext> request;

	@Setup(Level.Trial)
	public void setUp() {
		List<Instance> list = new ArrayList<>();
		for (int i = 0; i < this.instances; i++) {
			Instance instance = new Instance();
			instance.setIp("10.0." + (i / 250) + "." + (i % 250 + 1));
			instance.setPort(8080);
			instance.setWeight(1 + (i % 5));
			instance.setServiceName("DEFAULT_GROUP@@" + SERVICE);
			instance.setClusterName("DEFAULT");
			instance.setMetadata(Map.of("version", (i % 10 == 0) ? "v2" : "v1"));
			list.add(instance);
		}
		NacosInstanceView view = new NacosInstanceView(staticNaming(list), List.of("DEFAULT_GROUP"), true, (event) -> {
		});
		ServiceInstanceListSupplier supplier = new NacosServiceInstanceListSupplier(view, SERVICE);
		NacosLoadBalancerProperties properties = new NacosLoadBalancerProperties();
		NacosLoadBalancerProperties.ServiceRule rule = new NacosLoadBalancerProperties.ServiceRule();
		rule.setStableVersion("v1");
		rule.getCanary().put("v2", 10.0);
		properties.getServices().put(SERVICE, rule);
		GrayRulesSource rules = new GrayRulesSource(properties, (id) -> view.getInstances(id));
		// As the auto-configuration wires it: with the registry of observed call outcomes
		// (empty here).
		this.gray = new NacosGrayLoadBalancer(provider(supplier), SERVICE, rules, "DEFAULT",
				new InstanceStatsRegistry(properties));
		this.grayZonePreference = new NacosGrayLoadBalancer(
				provider(new ZonePreferenceServiceInstanceListSupplier(supplier, new LoadBalancerZoneConfig(null))),
				SERVICE, rules, "DEFAULT", new InstanceStatsRegistry(properties));
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("client", Map.of(LoadBalancerClientFactory.PROPERTY_NAME, SERVICE)));
		ServiceInstanceListSupplier springCloudDefault = new CachingServiceInstanceListSupplier(
				new DiscoveryClientServiceInstanceListSupplier(discoveryClient(view), environment),
				new DefaultLoadBalancerCacheManager(new LoadBalancerCacheProperties()));
		this.roundRobin = new RoundRobinLoadBalancer(provider(springCloudDefault), SERVICE);
		this.roundRobinPushFed = new RoundRobinLoadBalancer(provider(supplier), SERVICE);
		HttpHeaders headers = new HttpHeaders();
		headers.add("Accept", "application/json");
		headers.add("X-Request-Id", "b7c9");
		this.request = new DefaultRequest<>(new RequestDataContext(new RequestData(HttpMethod.GET,
				URI.create("http://" + SERVICE + "/api/orders/1"), headers, new LinkedMultiValueMap<>(), Map.of())));
		if (gray().getServer() == null || grayZonePreference().getServer() == null || roundRobin().getServer() == null
				|| roundRobinPushFed().getServer() == null) {
			throw new IllegalStateException("No instance chosen");
		}
	}

	@Benchmark
	public Response<ServiceInstance> gray() {
		return this.gray.choose(this.request).block();
	}

	@Benchmark
	public Response<ServiceInstance> grayZonePreference() {
		return this.grayZonePreference.choose(this.request).block();
	}

	@Benchmark
	public Response<ServiceInstance> roundRobin() {
		return this.roundRobin.choose(this.request).block();
	}

	@Benchmark
	public Response<ServiceInstance> roundRobinPushFed() {
		return this.roundRobinPushFed.choose(this.request).block();
	}

	private static ObjectProvider<ServiceInstanceListSupplier> provider(ServiceInstanceListSupplier supplier) {
		return new ObjectProvider<>() {

			@Override
			public ServiceInstanceListSupplier getObject() {
				return supplier;
			}

			@Override
			public ServiceInstanceListSupplier getIfAvailable() {
				return supplier;
			}

			@Override
			public ServiceInstanceListSupplier getIfAvailable(
					java.util.function.Supplier<ServiceInstanceListSupplier> defaultSupplier) {
				return supplier;
			}

			@Override
			public ServiceInstanceListSupplier getIfUnique() {
				return supplier;
			}

		};
	}

	/**
	 * A naming client that knows one service and never pushes: the view then holds a
	 * fixed snapshot.
	 */
	private static NamingService staticNaming(List<Instance> instances) {
		return (NamingService) Proxy.newProxyInstance(ChooseBenchmark.class.getClassLoader(),
				new Class<?>[] { NamingService.class }, (proxy, method, args) -> switch (method.getName()) {
					case "getAllInstances", "selectInstances" -> instances;
					case "getServerStatus" -> "UP";
					case "hashCode" -> System.identityHashCode(proxy);
					case "equals" -> proxy == args[0];
					case "toString" -> "static naming";
					default -> null;
				});
	}

	// What the starter's DiscoveryClient answers for a service: a copy of the view's
	// instances (its service list, which needs a running naming client, is not used
	// here).
	private static DiscoveryClient discoveryClient(NacosInstanceView view) {
		return new DiscoveryClient() {

			@Override
			public String description() {
				return "Nacos instance view";
			}

			@Override
			public List<ServiceInstance> getInstances(String serviceId) {
				return List.copyOf(view.getInstances(serviceId));
			}

			@Override
			public List<String> getServices() {
				return List.of(SERVICE);
			}

		};
	}

}
