package dev.nacosboot.actuate;

import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.registry.NacosInstanceReconciler;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.TaskScheduler;

/**
 * Pushes a health group's status into Nacos when
 * {@code spring.cloud.nacos.health.traffic.group} names one: the registered instance is
 * out of traffic while the group is not UP. (The readiness state is pushed by the
 * registration itself, see {@code spring.cloud.nacos.discovery.readiness-gating}.)
 */
@AutoConfiguration(after = { NacosActuateAutoConfiguration.class, HealthEndpointAutoConfiguration.class })
@ConditionalOnClass(HealthEndpoint.class)
@ConditionalOnProperty(NacosActuateProperties.PREFIX + ".traffic.group")
@ConditionalOnBean({ HealthEndpoint.class, NacosInstanceReconciler.class })
public final class NacosHealthTrafficAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	HealthGroupTrafficSync nacosHealthGroupTrafficSync(HealthEndpoint healthEndpoint, HealthEndpointGroups groups,
			NacosInstanceReconciler reconciler, NacosActuateProperties properties,
			@Qualifier(NacosCoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) TaskScheduler scheduler) {
		String group = properties.getTraffic().getGroup();
		return new HealthGroupTrafficSync(healthEndpoint, groups, (group != null) ? group.trim() : "", reconciler,
				properties.getTraffic().getCheckInterval(), scheduler);
	}

}
