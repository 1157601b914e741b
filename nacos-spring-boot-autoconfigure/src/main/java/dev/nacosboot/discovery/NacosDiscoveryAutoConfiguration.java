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

/**
 * Nacos service discovery: the naming client, the push-updated instance view and the
 * blocking {@link DiscoveryClient}. Off with
 * {@code spring.cloud.nacos.discovery.enabled=false} or
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

	// The owner (NacosClients) shuts the client down; the bean must not do it a second
	// time.
	@Bean(destroyMethod = "")
	@ConditionalOnMissingBean
	NamingService nacosNamingService(NacosClients clients, NacosProperties nacosProperties,
			NacosDiscoveryProperties discoveryProperties, NacosConnectionDetails connectionDetails) {
		NacosConnectionDetails details = connectionDetails.forDiscovery();
		NacosPropertyViolations violations = new NacosPropertyViolations();
		NacosClientPropertiesFactory.validate(details, nacosProperties, violations);
		NacosDiscoveryPropertiesValidator.validate(discoveryProperties, violations);
		violations.throwIfAny();
		Properties properties = NacosClientPropertiesFactory.create(details, nacosProperties);
		properties.setProperty(PropertyKeyConst.NAMING_LOAD_CACHE_AT_START,
				String.valueOf(discoveryProperties.isNamingLoadCacheAtStart()));
		return clients.namingService(properties);
	}

	@Bean
	@ConditionalOnMissingBean
	NacosInstanceView nacosInstanceView(NamingService namingService, NacosDiscoveryProperties properties,
			ApplicationEventPublisher publisher) {
		List<String> groups = new ArrayList<>(properties.getGroups());
		if (groups.isEmpty()) {
			groups.add(properties.getGroup());
		}
		return new NacosInstanceView(namingService, groups, properties.isHealthyOnly(), publisher,
				properties.getEmptyGraceAfterReconnect());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBlockingDiscoveryEnabled
	static class BlockingDiscoveryClientConfiguration {

		@Bean
		@ConditionalOnMissingBean
		NacosDiscoveryClient nacosDiscoveryClient(NacosInstanceView view) {
			return new NacosDiscoveryClient(view);
		}

	}

}
