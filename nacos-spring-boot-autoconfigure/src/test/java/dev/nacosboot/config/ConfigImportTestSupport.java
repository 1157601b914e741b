package dev.nacosboot.config;

import java.util.ArrayList;
import java.util.List;

import dev.nacosboot.testserver.junit.NacosTarget;

/**
 * Command-line arguments that point an application at the test's Nacos, with discovery
 * and registration off.
 */
final class ConfigImportTestSupport {

	private ConfigImportTestSupport() {
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
