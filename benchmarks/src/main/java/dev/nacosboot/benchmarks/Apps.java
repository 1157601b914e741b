package dev.nacosboot.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the measured applications the way a user's application starts, quietly.
 */
final class Apps {

	private Apps() {
	}

	static Map<String, Object> common(NacosTarget target) {
		Map<String, Object> properties = new LinkedHashMap<>(target.springProperties());
		properties.put("spring.main.banner-mode", "off");
		properties.put("spring.jmx.enabled", "false");
		properties.put("spring.main.log-startup-info", "false");
		properties.put("logging.level.root", "warn");
		properties.put("logging.level.com.alibaba.nacos", "error");
		properties.put("spring.cloud.nacos.discovery.ip", "127.0.0.1");
		return properties;
	}

	static ConfigurableApplicationContext start(Class<?> application, WebApplicationType type,
			Map<String, Object> properties) {
		return new SpringApplicationBuilder(application).web(type).properties(properties).run();
	}

}
