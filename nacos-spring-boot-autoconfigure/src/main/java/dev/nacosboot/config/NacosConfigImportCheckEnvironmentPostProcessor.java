package dev.nacosboot.config;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * With {@code spring.cloud.nacos.config.import-check.enabled=true} (Spring Cloud
 * Alibaba's check, off by default here), fails startup when config is enabled but no
 * {@code spring.config.import} names a {@code nacos:} location.
 */
public class NacosConfigImportCheckEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** Once config data is loaded. */
	public static final int ORDER = NacosConfigPrecedenceEnvironmentPostProcessor.ORDER + 1;

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		boolean enabled = environment.getProperty(NacosConfigProperties.PREFIX + ".enabled", Boolean.class, true);
		boolean check = environment.getProperty(NacosConfigProperties.PREFIX + ".import-check.enabled", Boolean.class,
				false);
		if (!enabled || !check) {
			return;
		}
		for (PropertySource<?> source : environment.getPropertySources()) {
			if (source instanceof NacosConfigPropertySource) {
				return;
			}
		}
		throw new NacosConfigImportException("spring.config.import", "no import names a 'nacos:' location, and "
				+ NacosConfigProperties.PREFIX + ".import-check.enabled=true asks for one");
	}

}
