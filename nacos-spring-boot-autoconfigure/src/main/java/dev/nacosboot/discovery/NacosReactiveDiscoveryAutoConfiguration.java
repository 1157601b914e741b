package dev.nacosboot.discovery;

import com.alibaba.nacos.api.naming.NamingService;
import reactor.core.publisher.Flux;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.client.ConditionalOnDiscoveryEnabled;
import org.springframework.cloud.client.ConditionalOnReactiveDiscoveryEnabled;
import org.springframework.cloud.client.ReactiveCommonsClientAutoConfiguration;
import org.springframework.cloud.client.discovery.composite.reactive.ReactiveCompositeDiscoveryClientAutoConfiguration;
import org.springframework.cloud.client.discovery.simple.reactive.SimpleReactiveDiscoveryClientAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The Nacos {@link org.springframework.cloud.client.discovery.ReactiveDiscoveryClient},
 * on the same instance view as the blocking one. Off with
 * {@code spring.cloud.discovery.reactive.enabled=false}.
 */
@AutoConfiguration(after = NacosDiscoveryAutoConfiguration.class,
		before = { SimpleReactiveDiscoveryClientAutoConfiguration.class,
				ReactiveCompositeDiscoveryClientAutoConfiguration.class, ReactiveCommonsClientAutoConfiguration.class })
@ConditionalOnClass({ Flux.class, NamingService.class })
@ConditionalOnDiscoveryEnabled
@ConditionalOnReactiveDiscoveryEnabled
@ConditionalOnBooleanProperty(name = NacosDiscoveryProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnBean(NacosInstanceView.class)
public final class NacosReactiveDiscoveryAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	NacosReactiveDiscoveryClient nacosReactiveDiscoveryClient(NacosInstanceView view, NacosServiceListView services) {
		return new NacosReactiveDiscoveryClient(view, services);
	}

}
