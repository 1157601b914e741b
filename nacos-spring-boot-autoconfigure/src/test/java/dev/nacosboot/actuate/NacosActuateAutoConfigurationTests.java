package dev.nacosboot.actuate;

import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.EventListener;
import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.discovery.NacosDiscoveryAutoConfiguration;
import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.discovery.NamingConnectionState;
import dev.nacosboot.registry.NacosInstanceReconciler;
import dev.nacosboot.registry.NacosRegistryAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * Conditions of the actuate auto-configurations, on a naming client that answers locally
 * (no server needed).
 */
class NacosActuateAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(NacosCoreAutoConfiguration.class, NacosDiscoveryAutoConfiguration.class,
						NacosRegistryAutoConfiguration.class, NacosActuateAutoConfiguration.class,
						NacosHealthContributorAutoConfiguration.class, NacosHealthTrafficAutoConfiguration.class,
						NacosEndpointAutoConfiguration.class, NacosMetricsAutoConfiguration.class,
						HealthContributorRegistryAutoConfiguration.class, HealthEndpointAutoConfiguration.class))
		.withUserConfiguration(ConnectedNamingService.class)
		.withPropertyValues("spring.application.name=orders", "spring.cloud.nacos.discovery.ip=127.0.0.1");

	@Test
	void runWithDiscoveryShouldCreateNacosContributorWithDiscoveryComponentOnly() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(CompositeHealthContributor.class);
			CompositeHealthContributor nacos = context.getBean(NacosHealthContributorAutoConfiguration.BEAN_NAME,
					CompositeHealthContributor.class);
			Health discovery = ((HealthIndicator) nacos.getContributor("discovery")).health();
			assertThat(discovery.getStatus()).isEqualTo(Status.UP);
			assertThat(discovery.getDetails()).containsEntry("connection", NacosConnectionMonitor.State.CONNECTED)
				.containsKey("registration");
			assertThat(nacos.getContributor("config")).isNull();
			assertThat(context).hasSingleBean(NacosInstanceReconciler.class);
			assertThat(context).hasSingleBean(NacosMetrics.class);
			assertThat(context).hasSingleBean(NacosStateSampling.class);
		});
	}

	@Test
	void runShouldReadSubscriptionsAndConnectionFromDiscoveryWithoutFollowingThemAgain() {
		this.runner.run((context) -> {
			context.getBean(NacosInstanceView.class).getInstances("payments");
			assertThat(context.getBean(NacosSubscriptions.class).all())
				.extracting(NacosSubscriptions.Subscription::service)
				.containsExactly("payments");
			NamingService naming = context.getBean(NamingService.class);
			verify(naming, times(1)).subscribe(eq("payments"), anyString(), any(EventListener.class));
			verify(naming, never()).getSubscribeServices();
			assertThat(context.getBean(NacosActuateAutoConfiguration.DISCOVERY_MONITOR, NacosConnectionMonitor.class)
				.state()
				.state()).isEqualTo(NacosConnectionMonitor.State.CONNECTED);
			assertThat(context).hasSingleBean(NamingConnectionState.class);
		});
	}

	@Test
	void runWhenNacosDiscoveryHealthIndicatorDisabledShouldNotCreateContributor() {
		this.runner.withPropertyValues("management.health.nacos-discovery.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(NacosHealthContributorAutoConfiguration.BEAN_NAME);
			assertThat(context).hasSingleBean(NacosStateSampling.class);
		});
	}

	@Test
	void runWhenAllHealthIndicatorsDisabledByDefaultShouldNotCreateContributor() {
		this.runner.withPropertyValues("management.health.defaults.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(NacosHealthContributorAutoConfiguration.BEAN_NAME));
	}

	@Test
	void runWithoutHealthShouldNotCreateContributorButKeepMetrics() {
		this.runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class)).run((context) -> {
			assertThat(context).doesNotHaveBean(NacosHealthContributorAutoConfiguration.BEAN_NAME);
			assertThat(context).hasSingleBean(NacosMetrics.class);
		});
	}

	@Test
	void runWithoutActuatorShouldCreateNothing() {
		this.runner.withClassLoader(new FilteredClassLoader(Endpoint.class)).run((context) -> {
			assertThat(context).doesNotHaveBean(NacosStateSampling.class);
			assertThat(context).doesNotHaveBean(NacosHealthContributorAutoConfiguration.BEAN_NAME);
			assertThat(context).doesNotHaveBean(NacosEndpoint.class);
		});
	}

	@Test
	void runWithoutDiscoveryShouldCreateNoContributor() {
		this.runner.withPropertyValues("spring.cloud.nacos.discovery.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(NacosHealthContributorAutoConfiguration.BEAN_NAME);
			assertThat(context).doesNotHaveBean(NacosInstanceReconciler.class);
			assertThat(context).doesNotHaveBean(NacosSubscriptions.class);
		});
	}

	@Test
	void runWhenEndpointNotExposedShouldNotCreateEndpoint() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(NacosEndpoint.class));
	}

	@Test
	void runWhenEndpointExposedShouldCreateEndpoint() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=nacos")
			.run((context) -> assertThat(context).hasSingleBean(NacosEndpoint.class));
	}

	@Test
	void runWithoutTrafficGroupShouldNotSyncAHealthGroup() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(HealthGroupTrafficSync.class));
	}

	@Test
	void runWithTrafficGroupShouldSyncThatHealthGroup() {
		this.runner
			.withPropertyValues("spring.cloud.nacos.health.traffic.group=app",
					"management.endpoint.health.group.app.include=nacos")
			.run((context) -> assertThat(context).hasSingleBean(HealthGroupTrafficSync.class));
	}

	@Test
	void runWithTrafficGroupThatDoesNotExistShouldFailNamingTheGroup() {
		this.runner.withPropertyValues("spring.cloud.nacos.health.traffic.group=missing").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("'missing'");
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class ConnectedNamingService {

		@Bean
		NamingService namingService() {
			NamingService namingService = mock(NamingService.class);
			given(namingService.getServerStatus()).willReturn("UP");
			return namingService;
		}

	}

}
