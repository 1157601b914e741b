package dev.nacosboot.loadbalancer;

import java.util.Locale;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/**
 * Offers the load-balancer rules to the {@link GrayRulesSource} again whenever the
 * Environment changed (a Nacos config refresh publishes {@link EnvironmentChangeEvent}).
 * It binds a fresh properties object instead of reading the rebound bean, so it neither
 * depends on running after Spring Cloud's rebinder nor sees a half-bound bean.
 */
class GrayRulesRefresher implements ApplicationListener<EnvironmentChangeEvent> {

	private final Environment environment;

	private final GrayRulesSource source;

	GrayRulesRefresher(Environment environment, GrayRulesSource source) {
		this.environment = environment;
		this.source = source;
	}

	@Override
	public void onApplicationEvent(EnvironmentChangeEvent event) {
		if (!concernsRules(event)) {
			return;
		}
		NacosLoadBalancerProperties properties;
		try {
			properties = Binder.get(this.environment)
				.bindOrCreate(NacosLoadBalancerProperties.PREFIX, NacosLoadBalancerProperties.class);
		}
		catch (BindException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			this.source.reject(ex.getMessage() + ": " + cause.getMessage());
			return;
		}
		this.source.update(properties);
	}

	// Matches canonical names and environment-variable style names
	// (SPRING_CLOUD_NACOS_LOADBALANCER_...).
	private static boolean concernsRules(EnvironmentChangeEvent event) {
		for (String key : event.getKeys()) {
			String name = key.toLowerCase(Locale.ROOT).replace('_', '.');
			if (name.startsWith(NacosLoadBalancerProperties.PREFIX)) {
				return true;
			}
		}
		return false;
	}

}
