package dev.nacosboot.core;

import com.alibaba.nacos.api.NacosFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Shared Nacos settings, the connection details, the owner of the context's Nacos clients
 * and the scheduler of the starter's background work.
 */
@AutoConfiguration
@ConditionalOnClass(NacosFactory.class)
@EnableConfigurationProperties(NacosProperties.class)
@ImportRuntimeHints(NacosClientRuntimeHints.class)
public final class NacosCoreAutoConfiguration {

	/** Name of the default {@link NacosConnectionDetails} bean. */
	public static final String CONNECTION_DETAILS_BEAN_NAME = "nacosConnectionDetails";

	/** Name of the scheduler bean that runs the starter's background work. */
	public static final String TASK_SCHEDULER_BEAN_NAME = "nacosTaskScheduler";

	@Bean(name = NacosClients.BEAN_NAME)
	@ConditionalOnMissingBean
	NacosClients nacosClients() {
		return new NacosClients();
	}

	@Bean(name = CONNECTION_DETAILS_BEAN_NAME)
	@ConditionalOnMissingBean(NacosConnectionDetails.class)
	PropertiesNacosConnectionDetails nacosConnectionDetails(NacosProperties properties, Environment environment) {
		return PropertiesNacosConnectionDetails.of(properties, Binder.get(environment));
	}

	/**
	 * The one place the starter's background work runs: registration, refresh, polling
	 * and probes. Not a default candidate, so it never becomes the application's
	 * scheduler ({@code @Scheduled} methods keep Boot's own); it accepts work until it is
	 * destroyed, after the beans that use it, so that shutdown steps run on it.
	 */
	@Bean(name = TASK_SCHEDULER_BEAN_NAME, defaultCandidate = false)
	@ConditionalOnMissingBean(name = TASK_SCHEDULER_BEAN_NAME)
	ThreadPoolTaskScheduler nacosTaskScheduler(Environment environment) {
		return new BackgroundTaskScheduler(Threading.VIRTUAL.isActive(environment));
	}

}
