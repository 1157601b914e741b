package dev.nacosboot.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.nacosboot.core.NacosPropertyViolations;
import dev.nacosboot.discovery.NacosDiscoveryProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Builds this application's {@link NacosRegistration} from the discovery settings and the
 * environment.
 */
class NacosRegistrationFactory {

	/**
	 * Metadata key marking instances registered by a Spring application, as Spring Cloud
	 * Alibaba does.
	 */
	public static final String REGISTER_SOURCE_KEY = "preserved.register.source";

	static final String MANAGEMENT_PORT_KEY = "management.port";

	private final HostAddressSelector hostAddressSelector;

	public NacosRegistrationFactory(HostAddressSelector hostAddressSelector) {
		this.hostAddressSelector = hostAddressSelector;
	}

	/**
	 * Builds the registration (port 0 until the web server is known, unless configured).
	 * @param properties discovery settings
	 * @param environment for the application name and management settings
	 * @param buildVersion the build's version, or {@code null}
	 * @return the registration
	 * @throws dev.nacosboot.core.InvalidNacosPropertiesException when no service name is
	 * known
	 */
	public NacosRegistration create(NacosDiscoveryProperties properties, Environment environment,
			@Nullable String buildVersion) {
		String service = StringUtils.hasText(properties.getService()) ? properties.getService()
				: environment.getProperty("spring.application.name");
		if (!StringUtils.hasText(service)) {
			new NacosPropertyViolations()
				.reject(NacosDiscoveryProperties.PREFIX + ".service", null, "no service name to register",
						"set spring.application.name (or spring.cloud.nacos.discovery.service), or turn registration "
								+ "off with spring.cloud.nacos.discovery.register-enabled=false")
				.throwIfAny();
		}
		String host = this.hostAddressSelector.select(new HostAddressSelector.Criteria(properties.getIp(),
				properties.getNetworkInterface(), properties.getIpType().toUpperCase(Locale.ROOT).equals("IPV6"),
				orInetUtils(properties.getPreferredNetworks(), "preferred-networks", environment),
				orInetUtils(properties.getIgnoredInterfaces(), "ignored-interfaces", environment)));
		Map<String, String> metadata = new LinkedHashMap<>();
		metadata.put(REGISTER_SOURCE_KEY, "SPRING_CLOUD");
		metadata.put("secure", String.valueOf(properties.isSecure()));
		if (buildVersion != null) {
			metadata.put("version", buildVersion);
		}
		putManagement(metadata, environment);
		metadata.putAll(properties.getMetadata());
		NacosRegistration registration = new NacosRegistration(service, properties.getGroup(),
				properties.getClusterName(), host, Math.max(properties.getPort(), 0), properties.isSecure(),
				properties.getWeight(), properties.isEphemeral(), properties.isInstanceEnabled(), metadata);
		if (Integer.valueOf(0).equals(environment.getProperty("management.server.port", Integer.class))) {
			// A random management port is added once its server is up
			// (WebServerRegistrationListener).
			registration.reserveMetadata(MANAGEMENT_PORT_KEY, 5);
		}
		return registration;
	}

	// Spring Cloud Alibaba selected the ip through Spring Cloud's InetUtils: its settings
	// still apply when the
	// Nacos-specific ones are not set.
	private static List<String> orInetUtils(List<String> own, String name, Environment environment) {
		if (!own.isEmpty()) {
			return own;
		}
		return Binder.get(environment)
			.bind("spring.cloud.inetutils." + name, Bindable.listOf(String.class))
			.orElse(List.of());
	}

	private static void putManagement(Map<String, String> metadata, Environment environment) {
		Integer managementPort = environment.getProperty("management.server.port", Integer.class);
		if (managementPort != null && managementPort > 0) {
			metadata.put(MANAGEMENT_PORT_KEY, String.valueOf(managementPort));
		}
		if (environment.containsProperty("management.server.base-path")
				|| environment.containsProperty("management.endpoints.web.base-path") || managementPort != null) {
			String serverBase = environment.getProperty("management.server.base-path", "");
			String endpointsBase = environment.getProperty("management.endpoints.web.base-path", "/actuator");
			metadata.put("management.context-path", (serverBase + endpointsBase).replace("//", "/"));
		}
	}

}
