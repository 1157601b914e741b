package dev.nacosboot.registry;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.core.InvalidNacosPropertiesException;
import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.discovery.NacosDiscoveryAutoConfiguration;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.discovery.event.InstanceRegisteredEvent;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistration;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

class NacosRegistryAutoConfigurationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(NacosCoreAutoConfiguration.class,
				NacosDiscoveryAutoConfiguration.class, NacosRegistryAutoConfiguration.class))
		.withPropertyValues("spring.cloud.nacos.server-addr=" + nacos.target().serverAddr(),
				"spring.application.name=orders", "spring.cloud.nacos.discovery.ip=10.0.0.5");

	@Test
	void runShouldCreateRegistryRegistrationAndAutoRegistration() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(NacosServiceRegistry.class);
			assertThat(context).hasSingleBean(AutoServiceRegistration.class);
			NacosRegistration registration = context.getBean(NacosRegistration.class);
			assertThat(registration.getServiceId()).isEqualTo("orders");
			assertThat(registration.getHost()).isEqualTo("10.0.0.5");
			assertThat(registration.getGroup()).isEqualTo("DEFAULT_GROUP");
			assertThat(registration.getMetadata()).containsEntry("preserved.register.source", "SPRING_CLOUD")
				.containsEntry("secure", "false");
		});
	}

	@Test
	void runShouldAddNoShutdownMarginForASingleServer() {
		assertShutdownMargin(Duration.ZERO, "spring.cloud.nacos.server-addr=" + oneServer());
	}

	@Test
	void runWithAServerListShouldWaitForTheMembersSyncAtShutdown() {
		assertShutdownMargin(ShutdownPropagation.CLUSTER_MARGIN, "spring.cloud.nacos.server-addr=" + serverList());
	}

	@Test
	void runWithOneDiscoveryServerShouldAddNoShutdownMarginWhateverTheSharedList() {
		assertShutdownMargin(Duration.ZERO, "spring.cloud.nacos.server-addr=" + serverList(),
				"spring.cloud.nacos.discovery.server-addr=" + oneServer());
	}

	@Test
	void runWithGracefulShutdownWaitTimeShouldUseItForAServerListToo() {
		assertShutdownMargin(Duration.ZERO, "spring.cloud.nacos.server-addr=" + serverList(),
				"spring.cloud.nacos.discovery.graceful-shutdown-wait-time=0");
	}

	private void assertShutdownMargin(Duration expected, String... properties) {
		this.runner.withPropertyValues(properties)
			.run((context) -> assertThat(
					context.getBean(NacosInstanceReconciler.class).getSettings().propagationMargin())
				.isEqualTo(expected));
	}

	/** One server of the target (the first member of a cluster). */
	private static String oneServer() {
		return nacos.target().serverAddr().split(",")[0];
	}

	/** A list of several addresses (the target's, twice). */
	private static String serverList() {
		return nacos.target().serverAddr() + "," + nacos.target().serverAddr();
	}

	@Test
	void runWithSpringCloudAlibabaPropertiesShouldBuildTheRegistrationFromThem() {
		this.runner
			.withPropertyValues("spring.cloud.nacos.discovery.service=billing",
					"spring.cloud.nacos.discovery.group=PAYMENTS", "spring.cloud.nacos.discovery.cluster-name=hz",
					"spring.cloud.nacos.discovery.weight=2.5", "spring.cloud.nacos.discovery.port=9090",
					"spring.cloud.nacos.discovery.secure=true", "spring.cloud.nacos.discovery.ephemeral=true",
					"spring.cloud.nacos.discovery.metadata.zone=hz-a",
					"spring.cloud.nacos.discovery.metadata.version=2.0.0")
			.run((context) -> {
				NacosRegistration registration = context.getBean(NacosRegistration.class);
				assertThat(registration.getServiceId()).isEqualTo("billing");
				assertThat(registration.getGroup()).isEqualTo("PAYMENTS");
				assertThat(registration.getClusterName()).isEqualTo("hz");
				assertThat(registration.getWeight()).isEqualTo(2.5f);
				assertThat(registration.getPort()).isEqualTo(9090);
				assertThat(registration.getUri().toString()).isEqualTo("https://10.0.0.5:9090");
				assertThat(registration.getMetadata()).containsEntry("zone", "hz-a")
					.containsEntry("version", "2.0.0")
					.containsEntry("secure", "true");
			});
	}

	@Test
	void runWithBuildInfoShouldRegisterItsVersion() {
		this.runner.withBean(BuildProperties.class, () -> {
			Properties build = new Properties();
			build.setProperty("version", "3.1.4");
			return new BuildProperties(build);
		})
			.run((context) -> assertThat(context.getBean(NacosRegistration.class).getMetadata())
				.containsEntry("version", "3.1.4"));
	}

	@Test
	void runWithSeparateManagementPortShouldRegisterManagementMetadata() {
		this.runner.withPropertyValues("management.server.port=9001", "management.endpoints.web.base-path=/manage")
			.run((context) -> assertThat(context.getBean(NacosRegistration.class).getMetadata())
				.containsEntry("management.port", "9001")
				.containsEntry("management.context-path", "/manage"));
	}

	// What the starter adds here: preserved.register.source=SPRING_CLOUD (37),
	// secure=false (11).
	private static final int ADDED_BY_THE_STARTER = 48;

	@Test
	void runWithMetadataAtTheServersLimitShouldStart() {
		this.runner.withPropertyValues(description(1024 - ADDED_BY_THE_STARTER))
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(NacosAutoServiceRegistration.class));
	}

	@Test
	void runWithMetadataAboveTheServersLimitShouldFailNamingThePropertyAndTheSize() {
		this.runner.withPropertyValues(description(1024 - ADDED_BY_THE_STARTER + 1)).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).isInstanceOfSatisfying(InvalidNacosPropertiesException.class,
					(ex) -> assertThat(ex.getViolations()).singleElement().satisfies((violation) -> {
						assertThat(violation.property()).isEqualTo("spring.cloud.nacos.discovery.metadata");
						assertThat(violation.reason()).contains("1025 characters")
							.contains("above the 1024")
							.contains("977 from this property")
							.contains("48 added by the starter (preserved.register.source, secure)");
						assertThat(violation.action()).contains("by at least 1 characters")
							.contains("spring.cloud.nacos.discovery.max-metadata-length");
					}));
		});
	}

	@Test
	void runWithARandomManagementPortShouldCountThePortAddedOnceItIsKnown() {
		// management.context-path=/actuator (32) now, management.port with up to 5 digits
		// (20) later.
		this.runner.withPropertyValues("management.server.port=0", description(1024 - ADDED_BY_THE_STARTER - 32))
			.run((context) -> assertThat(context).hasFailed());
		this.runner.withPropertyValues("management.server.port=0", description(1024 - ADDED_BY_THE_STARTER - 32 - 20))
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void runWithAServerThatAcceptsMoreMetadataShouldStart() {
		this.runner.withPropertyValues(description(2000), "spring.cloud.nacos.discovery.max-metadata-length=4096")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void runWithTheMetadataCheckOffShouldStart() {
		this.runner.withPropertyValues(description(2000), "spring.cloud.nacos.discovery.max-metadata-length=0")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void runWithoutAutoRegistrationShouldNotCheckTheMetadata() {
		this.runner.withPropertyValues(description(2000), "spring.cloud.nacos.discovery.register-enabled=false")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	// One user entry 'description' whose key and value together have the given size.
	static String description(int size) {
		return "spring.cloud.nacos.discovery.metadata.description=" + "d".repeat(size - "description".length());
	}

	@Test
	void runWithSpringCloudInetUtilsSettingsShouldSelectTheIpWithThem() {
		HostAddressSelector.Nic docker = new HostAddressSelector.Nic("docker0", 2, true, false,
				List.of(address("172.17.0.1")));
		HostAddressSelector.Nic eth0 = new HostAddressSelector.Nic("eth0", 3, true, false,
				List.of(address("10.1.2.3")));
		HostAddressSelector.Nic eth1 = new HostAddressSelector.Nic("eth1", 4, true, false,
				List.of(address("192.168.5.7")));
		this.runner.withPropertyValues("spring.cloud.nacos.discovery.ip=",
				"spring.cloud.inetutils.ignored-interfaces=docker.*", "spring.cloud.inetutils.preferred-networks=10.1")
			.withBean(HostAddressSelector.class, () -> new HostAddressSelector(() -> List.of(docker, eth0, eth1)))
			.run((context) -> assertThat(context.getBean(NacosRegistration.class).getHost()).isEqualTo("10.1.2.3"));
		this.runner
			.withPropertyValues("spring.cloud.nacos.discovery.ip=", "spring.cloud.inetutils.preferred-networks=10.1",
					"spring.cloud.nacos.discovery.preferred-networks=192.168.0.0/16")
			.withBean(HostAddressSelector.class, () -> new HostAddressSelector(() -> List.of(docker, eth0, eth1)))
			.run((context) -> assertThat(context.getBean(NacosRegistration.class).getHost()).isEqualTo("192.168.5.7"));
	}

	private static InetAddress address(String literal) {
		try {
			return InetAddress.getByName(literal);
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException(ex);
		}
	}

	@Test
	void runWhenAutoRegistrationDisabledShouldKeepTheRegistryOnly() {
		this.runner.withPropertyValues("spring.cloud.service-registry.auto-registration.enabled=false")
			.run((context) -> {
				assertThat(context).hasSingleBean(ServiceRegistry.class);
				assertThat(context).hasSingleBean(Registration.class);
				assertThat(context).doesNotHaveBean(AutoServiceRegistration.class);
			});
	}

	@Test
	void runWithoutActuatorShouldDrainThroughTheServiceRegistry() {
		this.runner.withClassLoader(new FilteredClassLoader(Endpoint.class)).run((context) -> {
			NacosRegistration registration = context.getBean(NacosRegistration.class);
			context.getBean(NacosServiceRegistry.class).setStatus(registration, "out_of_service");
			assertThat(context.getBean(NacosInstanceReconciler.class).outOfTrafficReasons())
				.contains(OutOfTrafficReason.DRAIN);
			assertThat(registration.getStatus()).isEqualTo(NacosRegistration.STATUS_OUT_OF_SERVICE);
			context.getBean(NacosServiceRegistry.class).setStatus(registration, "UP");
			assertThat(registration.getStatus()).isEqualTo(NacosRegistration.STATUS_UP);
		});
	}

	@Test
	void runShouldApplyRegistrationChangesOnTheStartersTaskScheduler() {
		this.runner
			.withPropertyValues("spring.cloud.nacos.discovery.group=" + nacos.target().unique("scheduler"),
					"spring.cloud.nacos.discovery.ip=127.0.0.1")
			.withBean("nacosTaskScheduler", ThreadPoolTaskScheduler.class, () -> {
				ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
				scheduler.setThreadNamePrefix("user-scheduler-");
				return scheduler;
			})
			.withBean(RegisteredOn.class)
			.run((context) -> {
				context.getBean(NacosInstanceReconciler.class).register(8080).join();
				assertThat(context.getBean(RegisteredOn.class).thread.get()).startsWith("user-scheduler-");
			});
	}

	@Test
	void runWhenRegisterEnabledIsFalseShouldNotAutoRegister() {
		this.runner.withPropertyValues("spring.cloud.nacos.discovery.register-enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(AutoServiceRegistration.class));
	}

	@Test
	void runWhenNacosDiscoveryDisabledShouldCreateNoRegistry() {
		this.runner.withPropertyValues("spring.cloud.nacos.discovery.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ServiceRegistry.class);
			assertThat(context).doesNotHaveBean(Registration.class);
		});
	}

	@Test
	void runWithoutSpringCloudCommonsShouldCreateNoRegistry() {
		this.runner.withClassLoader(new FilteredClassLoader(ServiceRegistry.class))
			.run((context) -> assertThat(context).doesNotHaveBean(NacosServiceRegistry.class));
	}

	@Test
	void runWithUserBeansShouldBackOff() {
		this.runner.withUserConfiguration(UserBeans.class).run((context) -> {
			assertThat(context).getBean(NacosServiceRegistry.class).isSameAs(context.getBean("userRegistry"));
			assertThat(context).getBean(NacosRegistration.class).isSameAs(context.getBean("userRegistration"));
		});
	}

	@Test
	void runWithoutServiceNameShouldFailNamingTheProperty() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(NacosCoreAutoConfiguration.class,
					NacosDiscoveryAutoConfiguration.class, NacosRegistryAutoConfiguration.class))
			.withPropertyValues("spring.cloud.nacos.server-addr=" + nacos.target().serverAddr())
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context).getFailure()
					.rootCause()
					.isInstanceOf(InvalidNacosPropertiesException.class)
					.hasMessageContaining("spring.cloud.nacos.discovery.service");
			});
	}

	static class RegisteredOn implements ApplicationListener<InstanceRegisteredEvent<?>> {

		final AtomicReference<String> thread = new AtomicReference<>();

		@Override
		public void onApplicationEvent(InstanceRegisteredEvent<?> event) {
			this.thread.set(Thread.currentThread().getName());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserBeans {

		@Bean
		NacosServiceRegistry userRegistry() {
			return new NacosServiceRegistry(mock(NamingService.class), mock(NacosInstanceReconciler.class));
		}

		@Bean
		NacosRegistration userRegistration() {
			return new NacosRegistration("custom", "G", "DEFAULT", "10.0.0.9", 8080, false, 1, true, true,
					java.util.Map.of());
		}

	}

}
