package dev.nacosboot.registry;

import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.core.NacosClientPropertiesFactory;
import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.core.NacosProperties;
import dev.nacosboot.discovery.NacosDiscoveryAutoConfiguration;
import dev.nacosboot.discovery.NacosDiscoveryProperties;
import dev.nacosboot.discovery.NacosNamingClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationAutoConfiguration;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import org.springframework.cloud.client.serviceregistry.ServiceRegistryAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.TaskScheduler;

/**
 * Nacos service registration: the {@link ServiceRegistry}, this application's
 * {@link NacosRegistration}, the {@link NacosInstanceReconciler} that is the one writer
 * of its instance in Nacos, and its auto-registration lifecycle. Auto-registration is off
 * with {@code spring.cloud.service-registry.auto-registration.enabled=false} or
 * {@code spring.cloud.nacos.discovery.register-enabled=false}; everything with
 * {@code spring.cloud.nacos.discovery.enabled=false}.
 */
@AutoConfiguration(after = NacosDiscoveryAutoConfiguration.class,
		before = { AutoServiceRegistrationAutoConfiguration.class, ServiceRegistryAutoConfiguration.class })
@ConditionalOnClass({ NamingService.class, ServiceRegistry.class })
@ConditionalOnBooleanProperty(name = NacosDiscoveryProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnBean({ NamingService.class, NacosDiscoveryProperties.class })
public final class NacosRegistryAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	NacosServiceRegistry nacosServiceRegistry(NacosNamingClient namingClient, NacosInstanceReconciler reconciler) {
		return new NacosServiceRegistry(namingClient::get, reconciler);
	}

	@Bean
	@ConditionalOnMissingBean
	NacosInstanceReconciler nacosInstanceReconciler(NacosRegistration registration, NacosNamingClient namingClient,
			@Qualifier(NacosCoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) TaskScheduler taskScheduler,
			ApplicationEventPublisher events, NacosConnectionDetails connectionDetails, NacosProperties nacosProperties,
			NacosDiscoveryProperties properties) {
		return new NacosInstanceReconciler(registration, namingClient::get, taskScheduler, events,
				new NacosInstanceReconciler.Settings(properties.isFailFast(), properties.getWarmup(),
						properties.getWarmupInitialWeightRatio(), properties.getRetry().getInitialInterval(),
						properties.getRetry().getMaxInterval(), properties.getDeregistrationTimeout(),
						ShutdownPropagation.margin(properties.getGracefulShutdownWaitTime(),
								connectionDetails.forDiscovery()),
						Boolean.parseBoolean(
								nacosProperties.getClient().get(PropertyKeyConst.NAMING_PUSH_EMPTY_PROTECTION)),
						NacosClientPropertiesFactory.describeServer(connectionDetails.forDiscovery())));
	}

	@Bean
	@ConditionalOnMissingBean
	HostAddressSelector nacosHostAddressSelector() {
		return new HostAddressSelector();
	}

	@Bean
	@ConditionalOnMissingBean
	NacosRegistration nacosRegistration(HostAddressSelector hostAddressSelector, NacosDiscoveryProperties properties,
			Environment environment, ObjectProvider<BuildProperties> buildProperties) {
		BuildProperties build = buildProperties.getIfAvailable();
		return new NacosRegistrationFactory(hostAddressSelector).create(properties, environment,
				(build != null) ? build.getVersion() : null);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "spring.cloud.service-registry.auto-registration.enabled",
			matchIfMissing = true)
	@ConditionalOnBooleanProperty(name = NacosDiscoveryProperties.PREFIX + ".register-enabled", matchIfMissing = true)
	NacosAutoServiceRegistration nacosAutoServiceRegistration(ApplicationContext context,
			NacosInstanceReconciler reconciler, NacosConnectionDetails connectionDetails,
			NacosDiscoveryProperties properties, NacosNamingClient namingClient) {
		return new NacosAutoServiceRegistration(context, reconciler,
				new NacosAutoServiceRegistration.Settings(properties.getPort(), properties.isFailFast(),
						properties.isReadinessGating(),
						NacosClientPropertiesFactory.describeServer(connectionDetails.forDiscovery())),
				namingClient);
	}

	@Bean
	@ConditionalOnBooleanProperty(name = "spring.cloud.service-registry.auto-registration.enabled",
			matchIfMissing = true)
	@ConditionalOnBooleanProperty(name = NacosDiscoveryProperties.PREFIX + ".register-enabled", matchIfMissing = true)
	RegistrationMetadataCheck nacosRegistrationMetadataCheck(NacosRegistration registration,
			NacosDiscoveryProperties properties) {
		return new RegistrationMetadataCheck(registration, properties.getMetadata(), properties.getMaxMetadataLength());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(WebServerInitializedEvent.class)
	static class WebServerRegistrationConfiguration {

		@Bean
		WebServerRegistrationListener nacosWebServerRegistrationListener(ApplicationContext context,
				ObjectProvider<NacosAutoServiceRegistration> registration) {
			return new WebServerRegistrationListener(context, registration);
		}

	}

}
