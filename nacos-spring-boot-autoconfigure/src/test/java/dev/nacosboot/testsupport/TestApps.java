package dev.nacosboot.testsupport;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.nacosboot.testserver.junit.NacosTarget;
import org.jspecify.annotations.Nullable;

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

	/** System properties of the test JVM that its child JVMs get too. */
	private static final List<String> CHILD_JVM_PROPERTIES = List.of("JM.SNAPSHOT.PATH", "JM.LOG.PATH",
			"com.alibaba.nacos.naming.cache.dir", "spring.cloud.bus.enabled");

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

	/**
	 * The command that runs a main class of the test class path in a JVM of its own, with
	 * this JVM's client cache and log locations and its test switches, so that the child
	 * behaves as the tests' own applications; arguments follow.
	 * @param classPathFirst put before the test class path, or {@code null}
	 * @param mainClass the class to run
	 * @return the command
	 */
	public static List<String> childJvm(@Nullable Path classPathFirst, Class<?> mainClass) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		for (String property : CHILD_JVM_PROPERTIES) {
			String value = System.getProperty(property);
			if (value != null) {
				command.add("-D" + property + "=" + value);
			}
		}
		command.add("-cp");
		String classPath = System.getProperty("java.class.path");
		command.add((classPathFirst != null) ? classPathFirst + File.pathSeparator + classPath : classPath);
		command.add(mainClass.getName());
		return command;
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
