package dev.nacosboot.testsupport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.nacosboot.testserver.junit.NacosTarget;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Starts provider (web, registering) and consumer (non-web, discovering) applications
 * against a Nacos target, the way a user's application starts.
 */
public final class TestApps {

	private TestApps() {
	}

	/**
	 * Properties every test application gets: server, credentials, group, loopback ip.
	 */
	public static Map<String, Object> common(NacosTarget target, String group) {
		Map<String, Object> properties = new LinkedHashMap<>(target.springProperties());
		properties.put("spring.cloud.nacos.discovery.group", group);
		properties.put("spring.cloud.nacos.discovery.ip", "127.0.0.1");
		properties.put("spring.jmx.enabled", "false");
		properties.put("logging.level.com.alibaba.nacos", "warn");
		return properties;
	}

	/** Starts a web application registering as the service, on a random port. */
	public static ConfigurableApplicationContext provider(NacosTarget target, String group, String service,
			String... extra) {
		Map<String, Object> properties = common(target, group);
		properties.put("spring.application.name", service);
		properties.put("server.port", "0");
		return new SpringApplicationBuilder(ProviderApplication.class).web(WebApplicationType.SERVLET)
			.properties(properties)
			.properties(extra)
			.run();
	}

	/** Starts a non-web application that only discovers. */
	public static ConfigurableApplicationContext consumer(NacosTarget target, String group, String... extra) {
		Map<String, Object> properties = common(target, group);
		properties.put("spring.application.name", "consumer");
		properties.put("spring.cloud.nacos.discovery.register-enabled", "false");
		List<String> args = new ArrayList<>(List.of(extra));
		return new SpringApplicationBuilder(ConsumerApplication.class).web(WebApplicationType.NONE)
			.properties(properties)
			.properties(args.toArray(String[]::new))
			.run();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@RestController
	public static class ProviderApplication {

		@GetMapping("/ping")
		String ping() {
			return "pong";
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	public static class ConsumerApplication {

	}

}
