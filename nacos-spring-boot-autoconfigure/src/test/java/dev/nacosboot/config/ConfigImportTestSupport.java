package dev.nacosboot.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.nacosboot.testserver.junit.NacosTarget;
import org.awaitility.Awaitility;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Command-line arguments that point an application at the test's Nacos, with discovery
 * and registration off.
 */
final class ConfigImportTestSupport {

	private ConfigImportTestSupport() {
	}

	/**
	 * Waits until the application listens to its configs: the listeners are set up in the
	 * background once it is ready, and that also refreshes the client's local snapshot.
	 */
	static ConfigurableApplicationContext listening(ConfigurableApplicationContext context) {
		NacosConfigWatcher watcher = context.getBean(NacosConfigWatcher.class);
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(watcher::isListening);
		return context;
	}

	static String[] args(NacosTarget target, String... more) {
		List<String> args = new ArrayList<>();
		args.add("--spring.cloud.nacos.server-addr=" + target.serverAddr());
		target.username().ifPresent((name) -> args.add("--spring.cloud.nacos.username=" + name));
		target.password().ifPresent((secret) -> args.add("--spring.cloud.nacos.password=" + secret));
		args.add("--spring.cloud.nacos.discovery.enabled=false");
		args.add("--spring.cloud.service-registry.auto-registration.enabled=false");
		args.add("--spring.main.banner-mode=off");
		args.addAll(List.of(more));
		return args.toArray(String[]::new);
	}

}
