package dev.nacosboot.config;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * With {@code spring.cloud.nacos.config.local-first=true}, moves the Nacos sources below
 * the local config files (Spring Boot places imported sources above the file that imports
 * them). Their relative order stays.
 */
public class NacosConfigPrecedenceEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** Right after config data has been loaded. */
	public static final int ORDER = ConfigDataEnvironmentPostProcessor.ORDER + 1;

	private static final String LOCAL_SOURCE_PREFIX = "Config resource '";

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (!environment.getProperty(NacosConfigProperties.PREFIX + ".local-first", Boolean.class, false)) {
			return;
		}
		MutablePropertySources sources = environment.getPropertySources();
		List<PropertySource<?>> nacos = new ArrayList<>();
		String lastLocal = null;
		for (PropertySource<?> source : sources) {
			if (source.getName().startsWith(NacosConfigLocation.PREFIX)) {
				nacos.add(source);
			}
			else if (source.getName().startsWith(LOCAL_SOURCE_PREFIX)) {
				lastLocal = source.getName();
			}
		}
		if (nacos.isEmpty() || lastLocal == null) {
			return;
		}
		nacos.forEach((source) -> sources.remove(source.getName()));
		String after = lastLocal;
		for (PropertySource<?> source : nacos) {
			sources.addAfter(after, source);
			after = source.getName();
		}
	}

}
