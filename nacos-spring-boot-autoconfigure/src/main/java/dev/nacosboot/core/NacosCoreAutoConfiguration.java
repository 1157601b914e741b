package dev.nacosboot.core;

import com.alibaba.nacos.api.NacosFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Shared Nacos settings and the owner of the context's Nacos clients.
 */
@AutoConfiguration
@ConditionalOnClass(NacosFactory.class)
@EnableConfigurationProperties(NacosProperties.class)
public final class NacosCoreAutoConfiguration {

	@Bean(name = NacosClients.BEAN_NAME)
	@ConditionalOnMissingBean
	NacosClients nacosClients() {
		return new NacosClients();
	}

}
