package dev.nacosboot.loadbalancer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.discovery.NacosDiscoveryAutoConfiguration;
import dev.nacosboot.discovery.NacosDiscoveryClient;
import dev.nacosboot.registry.NacosRegistryAutoConfiguration;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.cloud.client.loadbalancer.LoadBalancerLifecycle;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClient;
import org.springframework.cloud.loadbalancer.config.LoadBalancerAutoConfiguration;
import org.springframework.cloud.loadbalancer.core.DelegatingServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.ReactorLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.cloud.loadbalancer.core.RetryAwareServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.RoundRobinLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.client.RestTemplate;

import static org.assertj.core.api.Assertions.assertThat;

class NacosLoadBalancerAutoConfigurationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(NacosCoreAutoConfiguration.class, NacosDiscoveryAutoConfiguration.class,
						NacosLoadBalancerAutoConfiguration.class, LoadBalancerAutoConfiguration.class))
		.withPropertyValues("spring.cloud.nacos.server-addr=" + nacos.target().serverAddr(),
				"spring.cloud.nacos.discovery.group=" + nacos.target().unique("lb-autoconfig"));

	@Test
	void runShouldMakeTheNacosSupplierAndGrayBalancerTheDefaultOfEveryClient() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(GrayRulesSource.class);
			assertThat(context).hasSingleBean(LoadBalancerPropertiesRebinds.class);
			LoadBalancerClientFactory factory = context.getBean(LoadBalancerClientFactory.class);
			assertThat(factory.getInstance("orders")).isInstanceOf(NacosGrayLoadBalancer.class);
			assertThat(factory.getInstance("payments")).isInstanceOf(NacosGrayLoadBalancer.class);
			assertThat(nacosSupplier(factory.getInstance("orders", ServiceInstanceListSupplier.class)))
				.isExactlyInstanceOf(NacosServiceInstanceListSupplier.class)
				.extracting(ServiceInstanceListSupplier::getServiceId)
				.isEqualTo("orders");
		});
	}

	@Test
	void runShouldFeedOutlierDetectionFromTheLifecycleCallbacksOfEveryClient() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(InstanceStatsRegistry.class);
			LoadBalancerClientFactory factory = context.getBean(LoadBalancerClientFactory.class);
			// Clients look their lifecycle processors up in their own context, which sees
			// the application's.
			assertThat(factory.getInstances("orders", LoadBalancerLifecycle.class))
				.containsValue(context.getBean(NacosLoadBalancerLifecycle.class));
		});
	}

	@Test
	void runWithInvalidOutlierSettingsShouldFail() {
		this.runner.withPropertyValues("spring.cloud.nacos.loadbalancer.outlier-detection.consecutive-failures=0")
			.run((context) -> assertThat(context).hasFailed());
	}

	@Test
	void runShouldPropagateHeadersOnlyWhenEnabledAndRequeueOnEveryLoadBalancedClient() {
		this.runner.withUserConfiguration(LoadBalancedRestTemplate.class, PlainRestTemplate.class).run((context) -> {
			assertThat(context.getBean("restTemplate", RestTemplate.class).getInterceptors())
				.noneMatch(ServletGrayHeaderInterceptor.class::isInstance)
				.anyMatch(RequeueClientHttpRequestInterceptor.class::isInstance);
			assertThat(context.getBean("plain", RestTemplate.class).getInterceptors()).isEmpty();
		});
		this.runner.withUserConfiguration(LoadBalancedRestTemplate.class)
			.withPropertyValues("spring.cloud.nacos.loadbalancer.header-propagation.enabled=true")
			.run((context) -> assertThat(context.getBean(RestTemplate.class).getInterceptors()).first()
				.isInstanceOf(ServletGrayHeaderInterceptor.class));
	}

	@Test
	void runWithLoadPublishingShouldCountTheLoadEntryInTheMetadataCheck() {
		// The starter adds 48 characters, the load later up to 12 ("load.cpu" and
		// "1.00").
		ApplicationContextRunner registering = this.runner
			.withConfiguration(AutoConfigurations.of(NacosRegistryAutoConfiguration.class))
			.withPropertyValues("spring.application.name=orders", "spring.cloud.nacos.discovery.ip=10.0.0.5",
					"spring.cloud.nacos.discovery.metadata.description="
							+ "d".repeat(1024 - 48 - "description".length()));
		registering.run((context) -> assertThat(context).hasFailed());
		// With lazy initialization too: the publisher that announces the entry is created
		// eagerly.
		registering
			.withInitializer((context) -> context
				.addBeanFactoryPostProcessor(new org.springframework.boot.LazyInitializationBeanFactoryPostProcessor()))
			.run((context) -> assertThat(context).hasFailed());
		registering.withPropertyValues("spring.cloud.nacos.loadbalancer.load-publishing.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void runWithoutAutoRegistrationShouldNotPublishLoad() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(InstanceLoadPublisher.class));
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(textBlock = """
			zone-preference              | ZonePreferenceServiceInstanceListSupplier
			health-check                 | HealthCheckServiceInstanceListSupplier
			request-based-sticky-session | RequestBasedStickySessionServiceInstanceListSupplier
			same-instance-preference     | SameInstancePreferenceServiceInstanceListSupplier
			weighted                     | WeightedServiceInstanceListSupplier
			subset                       | SubsetServiceInstanceListSupplier
			api-version                  | BlockingApiVersionServiceInstanceListSupplier
			""", delimiter = '|')
	void runShouldWrapThePushFedSupplierInTheSpringCloudChainSelected(String configuration, String delegating) {
		this.runner.withUserConfiguration(LoadBalancedRestTemplate.class)
			.withPropertyValues("spring.cloud.loadbalancer.configurations=" + configuration)
			.run((context) -> {
				LoadBalancerClientFactory factory = context.getBean(LoadBalancerClientFactory.class);
				assertThat(chain(factory.getInstance("orders", ServiceInstanceListSupplier.class)))
					.containsExactly(delegating, "NacosServiceInstanceListSupplier");
				assertThat(factory.getInstance("orders")).isInstanceOf(NacosGrayLoadBalancer.class);
			});
	}

	@Test
	void runWithDiscoveryChangeEventsOffShouldEndThePushFedStreamAfterOneList() {
		this.runner.withPropertyValues("spring.cloud.nacos.discovery.watch.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(InstanceChanges.class);
			ServiceInstanceListSupplier supplier = nacosSupplier(context.getBean(LoadBalancerClientFactory.class)
				.getInstance("orders", ServiceInstanceListSupplier.class));
			// A finite stream is what Spring Cloud's health-check refetch repeats.
			assertThat(supplier.get().collectList().block(Duration.ofSeconds(30))).hasSize(1);
		});
		this.runner.run((context) -> assertThat(context).hasSingleBean(InstanceChanges.class));
	}

	@Test
	void runShouldApplyAClientsOwnConfigurationsValueToThatClientOnly() {
		this.runner.withPropertyValues("spring.cloud.loadbalancer.clients.orders.configurations=zone-preference")
			.run((context) -> {
				LoadBalancerClientFactory factory = context.getBean(LoadBalancerClientFactory.class);
				assertThat(chain(factory.getInstance("orders", ServiceInstanceListSupplier.class)))
					.containsExactly("ZonePreferenceServiceInstanceListSupplier", "NacosServiceInstanceListSupplier");
				assertThat(chain(factory.getInstance("payments", ServiceInstanceListSupplier.class)))
					.containsExactly("NacosServiceInstanceListSupplier");
			});
	}

	@Test
	void runShouldLetAClientBuildItsOwnChainOnThePushFedSupplier() {
		this.runner.withUserConfiguration(OwnOrdersChain.class).run((context) -> {
			LoadBalancerClientFactory factory = context.getBean(LoadBalancerClientFactory.class);
			assertThat(chain(factory.getInstance("orders", ServiceInstanceListSupplier.class)))
				.containsExactly("HintBasedServiceInstanceListSupplier", "NacosServiceInstanceListSupplier");
			assertThat(factory.getInstance("orders")).isInstanceOf(NacosGrayLoadBalancer.class);
		});
	}

	@Test
	void runWithSpringCloudAlibabasSwitchOffShouldUseSpringCloudsBalancerOverTheNacosDiscoveryClient() {
		this.runner.withPropertyValues("spring.cloud.loadbalancer.nacos.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(GrayRulesSource.class);
			LoadBalancerClientFactory factory = context.getBean(LoadBalancerClientFactory.class);
			assertThat(factory.getInstance("orders")).isInstanceOf(RoundRobinLoadBalancer.class);
			assertThat(chain(factory.getInstance("orders", ServiceInstanceListSupplier.class)))
				.endsWith("DiscoveryClientServiceInstanceListSupplier");
			assertThat(context.getBean(DiscoveryClient.class)).isInstanceOf(NacosDiscoveryClient.class);
		});
	}

	@Test
	void runWithSpringCloudAlibabasSwitchOnShouldKeepTheGrayBalancer() {
		this.runner.withPropertyValues("spring.cloud.loadbalancer.nacos.enabled=true")
			.run((context) -> assertThat(context.getBean(LoadBalancerClientFactory.class).getInstance("orders"))
				.isInstanceOf(NacosGrayLoadBalancer.class));
	}

	@Test
	void runShouldLeaveAClientsOwnConfigurationAlone() {
		this.runner.withUserConfiguration(OwnOrdersBalancer.class).run((context) -> {
			LoadBalancerClientFactory factory = context.getBean(LoadBalancerClientFactory.class);
			assertThat(factory.getInstance("orders")).isInstanceOf(RoundRobinLoadBalancer.class);
			assertThat(factory.getInstance("payments")).isInstanceOf(NacosGrayLoadBalancer.class);
		});
	}

	@Test
	void runWhenDisabledShouldLeaveSpringCloudDefaults() {
		this.runner.withPropertyValues("spring.cloud.nacos.loadbalancer.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(GrayRulesSource.class);
			LoadBalancerClientFactory factory = context.getBean(LoadBalancerClientFactory.class);
			assertThat(factory.getInstance("orders")).isInstanceOf(RoundRobinLoadBalancer.class);
		});
	}

	@Test
	void runWhenSpringCloudLoadBalancerDisabledShouldCreateNothing() {
		this.runner.withPropertyValues("spring.cloud.loadbalancer.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(GrayRulesSource.class));
	}

	@Test
	void runWhenNacosDiscoveryDisabledShouldCreateNothing() {
		this.runner.withPropertyValues("spring.cloud.nacos.discovery.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(GrayRulesSource.class));
	}

	@Test
	void runWithoutSpringCloudLoadBalancerShouldCreateNothing() {
		this.runner.withClassLoader(new FilteredClassLoader(ReactorServiceInstanceLoadBalancer.class))
			.run((context) -> assertThat(context).doesNotHaveBean(GrayRulesSource.class));
	}

	@Test
	void runWithoutSpringCloudContextShouldServeRules() {
		this.runner.withClassLoader(new FilteredClassLoader(EnvironmentChangeEvent.class))
			.run((context) -> assertThat(context).hasSingleBean(GrayRulesSource.class));
	}

	@Test
	void runWithInvalidRulesShouldFailStartupNamingTheProblem() {
		this.runner.withPropertyValues("spring.cloud.nacos.loadbalancer.services.orders.canary.v2=120")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(BindValidationException.class)
				.hasMessageContaining("services.orders.canary.v2 is 120.0%, must be between 0 and 100"));
	}

	@Test
	void runShouldBindDottedVersionsAsCanaryKeys() {
		this.runner.withPropertyValues("spring.cloud.nacos.loadbalancer.services.orders.canary.1.2.0=10")
			.run((context) -> assertThat(context.getBean(GrayRulesSource.class).current().ruleFor("orders").canaries())
				.containsExactly(new GrayRules.Canary("1.2.0", 1000)));
	}

	@Test
	void runShouldUseTheDiscoveryClusterAsTheLocalCluster() {
		this.runner.withPropertyValues("spring.cloud.nacos.discovery.cluster-name=HZ").run((context) -> {
			NacosGrayLoadBalancer balancer = (NacosGrayLoadBalancer) context.getBean(LoadBalancerClientFactory.class)
				.getInstance("orders");
			assertThat(balancer).hasFieldOrPropertyWithValue("localCluster", "HZ");
		});
	}

	@Configuration(proxyBeanMethods = false)
	@LoadBalancerClient(name = "orders", configuration = RoundRobinConfiguration.class)
	static class OwnOrdersBalancer {

	}

	@Configuration(proxyBeanMethods = false)
	@LoadBalancerClient(name = "orders", configuration = HintsConfiguration.class)
	static class OwnOrdersChain {

	}

	static class HintsConfiguration {

		@Bean
		ServiceInstanceListSupplier hints(ConfigurableApplicationContext context) {
			return ServiceInstanceListSupplier.builder()
				.withBase(NacosServiceInstanceListSupplier.of(context))
				.withHints()
				.build(context);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LoadBalancedRestTemplate {

		@Bean
		@LoadBalanced
		RestTemplate restTemplate() {
			return new RestTemplate();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlainRestTemplate {

		@Bean
		RestTemplate plain() {
			return new RestTemplate();
		}

	}

	static class RoundRobinConfiguration {

		@Bean
		ReactorLoadBalancer<ServiceInstance> roundRobin(Environment environment,
				ObjectProvider<ServiceInstanceListSupplier> suppliers) {
			return new RoundRobinLoadBalancer(suppliers, LoadBalancerClientFactory.getName(environment));
		}

	}

	// With Spring Retry on the class path, Spring Cloud wraps every client's supplier in
	// its retry-aware one.
	private static ServiceInstanceListSupplier nacosSupplier(ServiceInstanceListSupplier supplier) {
		if (supplier instanceof RetryAwareServiceInstanceListSupplier retry) {
			return retry.getDelegate();
		}
		return supplier;
	}

	// The chain from its top to its base by simple class name, without the retry-aware
	// wrapper Spring Retry adds.
	private static List<String> chain(ServiceInstanceListSupplier supplier) {
		List<String> chain = new ArrayList<>();
		ServiceInstanceListSupplier current = nacosSupplier(supplier);
		while (true) {
			chain.add(current.getClass().getSimpleName());
			if (!(current instanceof DelegatingServiceInstanceListSupplier delegating)) {
				return chain;
			}
			current = delegating.getDelegate();
		}
	}

}
