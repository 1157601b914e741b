package dev.nacosboot.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Applies {@link ScaCompatibility} once config data is loaded: a Spring Cloud Alibaba
 * property with no meaning here is reported once at INFO when set, one that this starter
 * spells differently sets ours (unless ours is set), and one that would silently change
 * behaviour fails startup with the property to use instead.
 */
public class ScaCompatibilityEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** After config data (the properties of application.yml and imports are known). */
	public static final int ORDER = ConfigDataEnvironmentPostProcessor.ORDER + 10;

	/** Name of the source that carries the aliased values. */
	static final String ALIASES_SOURCE = "springCloudAlibabaAliases";

	/** Spring Cloud's refresh runs post-processors again on a copy with this source. */
	private static final String REFRESH_ARGS_SOURCE = "refreshArgs";

	private static final Set<String> SECRETS = Set.of("password", "secret-key", "access-key");

	private final Log logger;

	public ScaCompatibilityEnvironmentPostProcessor(DeferredLogFactory logFactory) {
		this.logger = logFactory.getLog(ScaCompatibilityEnvironmentPostProcessor.class);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (environment.getPropertySources().contains(REFRESH_ARGS_SOURCE)) {
			return;
		}
		List<ConfigurationPropertySource> sources = new ArrayList<>();
		ConfigurationPropertySources.from(environment.getPropertySources()).forEach(sources::add);
		Map<String, Object> aliases = new LinkedHashMap<>();
		NacosPropertyViolations violations = new NacosPropertyViolations();
		for (ScaCompatibility.Entry entry : ScaCompatibility.ENTRIES) {
			if (entry.status() == ScaCompatibility.Status.BOUND) {
				continue;
			}
			ConfigurationPropertyName name = ConfigurationPropertyName.adapt(entry.scaProperty(), '.');
			ConfigurationProperty property = find(sources, name);
			if (property == null && !hasDescendants(sources, name)) {
				continue;
			}
			switch (entry.status()) {
				case IGNORED -> this.logger.info("Ignoring " + entry.scaProperty()
						+ " (a Spring Cloud Alibaba setting with no meaning here): " + entry.note());
				case ALIAS -> {
					ConfigurationPropertyName ours = ConfigurationPropertyName.of(entry.ours());
					if (property != null && find(sources, ours) == null) {
						aliases.put(entry.ours(), property.getValue());
					}
				}
				case REFUSED -> violations.reject(entry.scaProperty(),
						(property != null && !isSecret(entry.scaProperty())) ? property.getValue() : null,
						"not supported by this starter: " + entry.note(), "use " + entry.ours() + " instead");
				default -> {
				}
			}
		}
		if (!aliases.isEmpty()) {
			environment.getPropertySources().addLast(new MapPropertySource(ALIASES_SOURCE, aliases));
		}
		violations.throwIfAny();
	}

	private static @Nullable ConfigurationProperty find(List<ConfigurationPropertySource> sources,
			ConfigurationPropertyName name) {
		for (ConfigurationPropertySource source : sources) {
			ConfigurationProperty property = source.getConfigurationProperty(name);
			if (property != null) {
				return property;
			}
		}
		return null;
	}

	private static boolean hasDescendants(List<ConfigurationPropertySource> sources, ConfigurationPropertyName name) {
		for (ConfigurationPropertySource source : sources) {
			if (source.containsDescendantOf(name) == ConfigurationPropertyState.PRESENT) {
				return true;
			}
		}
		return false;
	}

	private static boolean isSecret(String property) {
		return SECRETS.stream().anyMatch(property::endsWith);
	}

}
