package dev.nacosboot.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.core.NacosClientPropertiesFactory;
import dev.nacosboot.core.NacosClients;
import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.core.NacosProperties;
import dev.nacosboot.core.NacosPropertyViolations;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.client.CommonsClientAutoConfiguration;
import org.springframework.cloud.client.ConditionalOnBlockingDiscoveryEnabled;
import org.springframework.cloud.client.ConditionalOnDiscoveryEnabled;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.scheduling.TaskScheduler;

/**
 * Nacos service discovery: the naming client and its connection state, the push-updated
 * instance and service-list views, their change events and the blocking
 * {@link DiscoveryClient}. Off with {@code spring.cloud.nacos.discovery.enabled=false} or
 * {@code spring.cloud.discovery.enabled=false}.
 */
@AutoConfiguration(after = NacosCoreAutoConfiguration.class,
		before = { SimpleDiscoveryClientAutoConfiguration.class, CommonsClientAutoConfiguration.class })
@ConditionalOnClass({ NamingService.class, DiscoveryClient.class })
@ConditionalOnDiscoveryEnabled
@ConditionalOnBooleanProperty(name = NacosDiscoveryProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnBean(NacosClients.class)
@EnableConfigurationProperties(NacosDiscoveryProperties.class)
public final class NacosDiscoveryAutoConfiguration {

	/** Name of the default {@link NamingService} bean. */
	public static final String NAMING_SERVICE_BEAN_NAME = "nacosNamingService";

	private static final Log logger = LogFactory.getLog(NacosDiscoveryAutoConfiguration.class);

	private static final String GATEWAY_DISCOVERY_LOCATOR = "spring.cloud.gateway.server.webflux.discovery.locator.enabled";

	/**
	 * The naming client's holder. The settings are checked here, while the context
	 * starts; the client itself is created once the context has started, or at the first
	 * call that needs it.
	 */
	@Bean
	@ConditionalOnMissingBean
	NacosNamingClient nacosNamingClient(NacosClients clients, NacosProperties nacosProperties,
			NacosDiscoveryProperties discoveryProperties, NacosConnectionDetails connectionDetails,
			@Qualifier(NacosCoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) TaskScheduler scheduler,
			ListableBeanFactory beanFactory) {
		String[] applicationClients = beanFactory.getBeanNamesForType(NamingService.class, false, false);
		if (applicationClients.length == 1 && !NAMING_SERVICE_BEAN_NAME.equals(applicationClients[0])) {
			return NacosNamingClient.of(beanFactory.getBean(applicationClients[0], NamingService.class));
		}
		NacosConnectionDetails details = connectionDetails.forDiscovery();
		// The discovery settings were checked when bound; what remains are the checks
		// across levels (credentials, TLS) of the effective connection.
		NacosPropertyViolations violations = new NacosPropertyViolations();
		NacosClientPropertiesFactory.validate(details, nacosProperties, violations);
		violations.throwIfAny();
		Properties properties = NacosClientPropertiesFactory.create(details, nacosProperties);
		properties.setProperty(PropertyKeyConst.NAMING_LOAD_CACHE_AT_START,
				String.valueOf(discoveryProperties.isNamingLoadCacheAtStart()));
		return new NacosNamingClient(() -> clients.namingService(properties), scheduler,
				nacosProperties.getClientStartDelay());
	}

	// A proxy that creates the client at its first call: an application that injects a
	// NamingService does not bring the client's creation back onto the path to ready.
	// The owner (NacosClients) shuts the client down; the bean must not do it a second
	// time.
	@Bean(name = NAMING_SERVICE_BEAN_NAME, destroyMethod = "")
	@ConditionalOnMissingBean
	NamingService nacosNamingService(NacosNamingClient client, ResourceLoader resourceLoader) {
		return client.lazyProxy(resourceLoader.getClassLoader());
	}

	@Bean
	@ConditionalOnMissingBean
	NacosDiscoveryChanges nacosDiscoveryChanges(ApplicationEventPublisher publisher,
			NacosDiscoveryProperties properties, Environment environment) {
		if (!properties.getWatch().isEnabled()
				&& environment.getProperty(GATEWAY_DISCOVERY_LOCATOR, Boolean.class, false)) {
			logger.warn(NacosDiscoveryProperties.PREFIX + ".watch.enabled=false publishes no HeartbeatEvent: "
					+ "Spring Cloud Gateway's discovery routes (" + GATEWAY_DISCOVERY_LOCATOR
					+ "=true) will not follow new and removed services");
		}
		return new NacosDiscoveryChanges(publisher, properties.getWatch().isEnabled());
	}

	@Bean
	@ConditionalOnMissingBean
	NamingConnectionState nacosNamingConnectionState(NacosNamingClient client,
			@Qualifier(NacosCoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) TaskScheduler scheduler) {
		return new NamingConnectionState(client, scheduler);
	}

	@Bean
	@ConditionalOnMissingBean
	NacosInstanceView nacosInstanceView(NacosNamingClient client, NacosDiscoveryProperties properties,
			NacosDiscoveryChanges changes, NamingConnectionState connection,
			@Qualifier(NacosCoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) TaskScheduler scheduler) {
		return new NacosInstanceView(client::get, discoveryGroups(properties), properties.isHealthyOnly(), changes,
				properties.getEmptyGraceAfterReconnect(), connection, scheduler);
	}

	@Bean
	@ConditionalOnMissingBean
	NacosServiceListView nacosServiceListView(NacosNamingClient client, NacosDiscoveryProperties properties,
			NacosDiscoveryChanges changes, NamingConnectionState connection,
			@Qualifier(NacosCoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) TaskScheduler scheduler) {
		return new NacosServiceListView(client, discoveryGroups(properties), changes, connection::isConnected,
				scheduler, properties.getWatchDelay());
	}

	private static List<String> discoveryGroups(NacosDiscoveryProperties properties) {
		List<String> groups = new ArrayList<>(properties.getGroups());
		if (groups.isEmpty()) {
			groups.add(properties.getGroup());
		}
		return groups;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBlockingDiscoveryEnabled
	static class BlockingDiscoveryClientConfiguration {

		@Bean
		@ConditionalOnMissingBean
		NacosDiscoveryClient nacosDiscoveryClient(NacosInstanceView view, NacosServiceListView services) {
			return new NacosDiscoveryClient(view, services);
		}

	}

}
