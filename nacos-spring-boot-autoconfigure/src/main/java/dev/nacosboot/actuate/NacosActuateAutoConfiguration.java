package dev.nacosboot.actuate;

import java.time.Clock;

import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.config.NacosConfigAutoConfiguration;
import dev.nacosboot.config.NacosConfigProperties;
import dev.nacosboot.config.NacosConfigSources;
import dev.nacosboot.core.NacosClients;
import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.discovery.NacosDiscoveryAutoConfiguration;
import dev.nacosboot.discovery.NacosDiscoveryProperties;
import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.discovery.NamingConnectionState;
import dev.nacosboot.registry.NacosRegistryAutoConfiguration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.context.annotation.Configuration;

/**
 * What the Nacos health indicators, the {@code nacos} endpoint and the metrics share: the
 * connection monitors of the naming and config clients, the subscribed services, and the
 * sampling that keeps them current. Active with Actuator on the class path.
 */
@AutoConfiguration(after = { NacosDiscoveryAutoConfiguration.class, NacosRegistryAutoConfiguration.class,
		NacosConfigAutoConfiguration.class })
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(NacosClients.class)
@EnableConfigurationProperties(NacosActuateProperties.class)
public final class NacosActuateAutoConfiguration {

	/** Bean name of the naming client's connection monitor. */
	public static final String DISCOVERY_MONITOR = "nacosDiscoveryConnectionMonitor";

	/** Bean name of the config clients' connection monitor. */
	public static final String CONFIG_MONITOR = "nacosConfigConnectionMonitor";

	@Bean
	@ConditionalOnMissingBean
	NacosCredentialsSanitizer nacosCredentialsSanitizer() {
		return new NacosCredentialsSanitizer();
	}

	@Bean
	@ConditionalOnMissingBean
	NacosStateSampling nacosStateSampling(ObjectProvider<NacosStateSampler> samplers, NacosActuateProperties properties,
			@Qualifier(NacosCoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) TaskScheduler scheduler) {
		return new NacosStateSampling(samplers.orderedStream().toList(), properties.getSampleInterval(), scheduler);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = NacosDiscoveryProperties.PREFIX + ".enabled", matchIfMissing = true)
	@ConditionalOnBean(NamingService.class)
	static class DiscoveryConfiguration {

		// Reads discovery's record of the connection; never samples it a second time.
		@Bean(name = DISCOVERY_MONITOR)
		@ConditionalOnMissingBean(name = DISCOVERY_MONITOR)
		@ConditionalOnBean(NamingConnectionState.class)
		NacosConnectionMonitor nacosDiscoveryConnectionMonitor(NamingConnectionState connection,
				NacosActuateProperties properties) {
			return new NacosConnectionMonitor(connection, properties.getGracePeriod(), Clock.systemUTC());
		}

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBean(NacosInstanceView.class)
		NacosSubscriptions nacosSubscriptions(NacosInstanceView view) {
			return new NacosSubscriptions(view);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean({ NacosConfigSources.class, NacosConfigProperties.class })
	static class ConfigConfiguration {

		@Bean
		@ConditionalOnMissingBean
		NacosConfigConnection nacosConfigConnection(NacosClients clients, NacosConnectionDetails connectionDetails,
				NacosConfigSources sources) {
			return new NacosConfigConnection(clients, connectionDetails, sources);
		}

		@Bean(name = CONFIG_MONITOR)
		@ConditionalOnMissingBean(name = CONFIG_MONITOR)
		NacosConnectionMonitor nacosConfigConnectionMonitor(NacosConfigConnection connection,
				NacosActuateProperties properties) {
			return new NacosConnectionMonitor(connection::isConnected, properties.getGracePeriod(), Clock.systemUTC());
		}

	}

}
