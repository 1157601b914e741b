package dev.nacosboot.discovery;

import java.time.Duration;
import java.util.List;

import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.core.NacosClients;
import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationErrors;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.validation.FieldError;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

@ExtendWith(OutputCaptureExtension.class)
class NacosDiscoveryAutoConfigurationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(NacosCoreAutoConfiguration.class,
				NacosDiscoveryAutoConfiguration.class, NacosReactiveDiscoveryAutoConfiguration.class))
		.withPropertyValues("spring.cloud.nacos.server-addr=" + nacos.target().serverAddr());

	@Test
	void runShouldCreateNamingServiceViewAndBothDiscoveryClients() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(NamingService.class);
			assertThat(context).hasSingleBean(NacosInstanceView.class);
			assertThat(context).hasSingleBean(NacosDiscoveryClient.class);
			assertThat(context).hasSingleBean(NacosReactiveDiscoveryClient.class);
			assertThat(context).hasSingleBean(NacosClients.class);
		});
	}

	@Test
	void runShouldCreateTheServiceListViewAndPublishChangesAsHeartbeats() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(NacosServiceListView.class);
			assertThat(context.getBean(NacosDiscoveryChanges.class).publishesHeartbeats()).isTrue();
			assertThat(context.getBean(NacosDiscoveryProperties.class).getWatchDelay())
				.isEqualTo(Duration.ofSeconds(30));
		});
	}

	@Test
	void runWithWatchDisabledShouldCountChangesWithoutHeartbeats() {
		this.runner.withPropertyValues("spring.cloud.nacos.discovery.watch.enabled=false")
			.run((context) -> assertThat(context.getBean(NacosDiscoveryChanges.class).publishesHeartbeats()).isFalse());
	}

	@Test
	void runWithWatchDisabledInAGatewayWithDiscoveryRoutesShouldWarn(CapturedOutput output) {
		this.runner
			.withPropertyValues("spring.cloud.nacos.discovery.watch.enabled=false",
					"spring.cloud.gateway.server.webflux.discovery.locator.enabled=true")
			.run((context) -> assertThat(output).contains("will not follow new and removed services"));
	}

	@Test
	void runWithWatchDelayInMillisecondsAsSpringCloudAlibabaWritesItShouldBindIt() {
		this.runner.withPropertyValues("spring.cloud.nacos.discovery.watch-delay=5000")
			.run((context) -> assertThat(context.getBean(NacosDiscoveryProperties.class).getWatchDelay())
				.isEqualTo(Duration.ofSeconds(5)));
	}

	@Test
	void runWithZeroWatchDelayShouldFailNamingTheProperty() {
		this.runner.withPropertyValues("spring.cloud.nacos.discovery.watch-delay=0").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(invalidFields(context.getStartupFailure())).containsExactly("watch-delay");
		});
	}

	@Test
	void runWhenNacosDiscoveryDisabledShouldCreateNothing() {
		this.runner.withPropertyValues("spring.cloud.nacos.discovery.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(NamingService.class);
			assertThat(context).doesNotHaveBean(DiscoveryClient.class);
			assertThat(context).doesNotHaveBean(ReactiveDiscoveryClient.class);
		});
	}

	@Test
	void runWhenSpringCloudDiscoveryDisabledShouldCreateNothing() {
		this.runner.withPropertyValues("spring.cloud.discovery.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(NamingService.class);
			assertThat(context).doesNotHaveBean(DiscoveryClient.class);
		});
	}

	@Test
	void runWhenBlockingDiscoveryDisabledShouldCreateOnlyReactiveClient() {
		this.runner.withPropertyValues("spring.cloud.discovery.blocking.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(DiscoveryClient.class);
			assertThat(context).hasSingleBean(ReactiveDiscoveryClient.class);
		});
	}

	@Test
	void runWhenReactiveDiscoveryDisabledShouldCreateOnlyBlockingClient() {
		this.runner.withPropertyValues("spring.cloud.discovery.reactive.enabled=false").run((context) -> {
			assertThat(context).hasSingleBean(DiscoveryClient.class);
			assertThat(context).doesNotHaveBean(ReactiveDiscoveryClient.class);
		});
	}

	@Test
	void runWithoutReactorShouldCreateOnlyBlockingClient() {
		this.runner.withClassLoader(new FilteredClassLoader(Flux.class)).run((context) -> {
			assertThat(context).hasSingleBean(DiscoveryClient.class);
			assertThat(context).doesNotHaveBean(ReactiveDiscoveryClient.class);
		});
	}

	@Test
	void runWithoutNacosClientShouldCreateNothing() {
		this.runner.withClassLoader(new FilteredClassLoader(NamingService.class)).run((context) -> {
			assertThat(context).doesNotHaveBean(NacosInstanceView.class);
			assertThat(context).doesNotHaveBean(DiscoveryClient.class);
		});
	}

	@Test
	void runWithUserBeansShouldBackOff() {
		this.runner.withUserConfiguration(UserBeans.class).run((context) -> {
			assertThat(context).getBean(NamingService.class).isSameAs(context.getBean(UserBeans.class).naming);
			assertThat(context).getBean(DiscoveryClient.class).isSameAs(context.getBean("userDiscoveryClient"));
			assertThat(context).getBean(NacosInstanceView.class).isNotNull();
		});
	}

	@Test
	void runWithDiscoveryOverridesShouldUseThemOverSharedSettings() {
		this.runner
			.withPropertyValues("spring.cloud.nacos.server-addr=10.255.255.1:1",
					"spring.cloud.nacos.discovery.server-addr=" + nacos.target().serverAddr())
			.run((context) -> assertThat(context.getBean(NamingService.class).getServerStatus()).isEqualTo("UP"));
	}

	@Test
	void runWithNegativeWeightShouldFailNamingTheProperty() {
		this.runner.withPropertyValues("spring.cloud.nacos.discovery.weight=-1").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(BindValidationException.class)
				.hasMessageContaining("spring.cloud.nacos.discovery")
				.hasMessageContaining("'weight'")
				.hasMessageContaining("set a weight between 0 (no traffic) and 10000");
		});
	}

	@Test
	void runWithMalformedServerAddrShouldFailNamingTheProperty() {
		this.runner.withPropertyValues("spring.cloud.nacos.discovery.server-addr=nacos:99999").run((context) -> {
			assertThat(context).hasFailed();
			// Checked where the connection settings are bound.
			assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(BindValidationException.class)
				.hasMessageContaining("spring.cloud.nacos.discovery")
				.hasMessageContaining("'server-addr'")
				.hasMessageContaining("out of range");
		});
	}

	@Test
	void runWithInvalidNamespaceShouldFailNamingTheProperty() {
		this.runner.withPropertyValues("spring.cloud.nacos.namespace=my namespace!").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(BindValidationException.class)
				.hasMessageContaining("spring.cloud.nacos")
				.hasMessageContaining("'namespace'")
				.hasMessageContaining("namespace's id");
		});
	}

	@Test
	void runWithSeveralInvalidPropertiesShouldReportAllOfThem() {
		this.runner
			.withPropertyValues("spring.cloud.nacos.discovery.port=70000", "spring.cloud.nacos.discovery.ip=10.0.0.300",
					"spring.cloud.nacos.discovery.ip-type=IPv5", "spring.cloud.nacos.discovery.cluster-name=a,b",
					"spring.cloud.nacos.discovery.preferred-networks=10.0.0.0/40")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(invalidFields(context.getStartupFailure())).containsExactlyInAnyOrder("port", "ip",
						"ip-type", "cluster-name", "preferred-networks[0]");
			});
	}

	/** The fields of {@code spring.cloud.nacos.discovery} that failed validation. */
	static List<String> invalidFields(Throwable failure) {
		Throwable cause = failure;
		while (!(cause instanceof BindValidationException)) {
			assertThat(cause.getCause()).as("cause of " + failure).isNotNull();
			cause = cause.getCause();
		}
		ValidationErrors errors = ((BindValidationException) cause).getValidationErrors();
		assertThat(errors.getName().toString()).isEqualTo(NacosDiscoveryProperties.PREFIX);
		return errors.getAllErrors().stream().map((error) -> ((FieldError) error).getField()).toList();
	}

	@Configuration(proxyBeanMethods = false)
	static class UserBeans {

		final NamingService naming = mock(NamingService.class);

		@Bean
		NamingService userNamingService() {
			return this.naming;
		}

		@Bean
		NacosDiscoveryClient userDiscoveryClient() {
			return mock(NacosDiscoveryClient.class);
		}

	}

}
