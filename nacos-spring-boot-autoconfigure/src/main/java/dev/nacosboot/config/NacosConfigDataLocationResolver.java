package dev.nacosboot.config;

import java.util.ArrayList;
import java.util.List;

import dev.nacosboot.config.NacosConfigDataResource.Kind;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationNotFoundException;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;
import org.springframework.boot.context.config.Profiles;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.util.StringUtils;

/**
 * Resolves {@code spring.config.import} locations {@code nacos:...} (see
 * {@link NacosConfigLocation}) into the data ids to load, in ascending precedence: shared
 * configs, extension configs, the import's data ids (or, for a bare {@code nacos:},
 * {@code ${prefix}.${file-extension}}), then, after profile activation, the
 * profile-specific {@code ${prefix}-${profile}.${file-extension}} of a bare import. The
 * order between imports and against local files is Spring Boot's, corrected by
 * {@link NacosConfigPrecedenceEnvironmentPostProcessor}.
 */
public class NacosConfigDataLocationResolver implements ConfigDataLocationResolver<NacosConfigDataResource>, Ordered {

	private final Log logger;

	public NacosConfigDataLocationResolver(DeferredLogFactory logFactory) {
		this.logger = logFactory.getLog(NacosConfigDataLocationResolver.class);
	}

	@Override
	public int getOrder() {
		return -1;
	}

	@Override
	public boolean isResolvable(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
		return location.hasPrefix(NacosConfigLocation.PREFIX);
	}

	/**
	 * Switched off, imports resolve to nothing, so that they need no edit to run without
	 * Nacos.
	 */
	private static boolean isEnabled(ConfigDataLocationResolverContext context) {
		return context.getBinder().bind(NacosConfigProperties.PREFIX + ".enabled", Boolean.class).orElse(true);
	}

	@Override
	public List<NacosConfigDataResource> resolve(ConfigDataLocationResolverContext context, ConfigDataLocation location)
			throws ConfigDataLocationNotFoundException {
		if (!isEnabled(context)) {
			// Boot refuses an import that resolves to nothing: a placeholder keeps the
			// application starting.
			return List.of(new NacosConfigDataResource(location.toString(), "-", null, false, false, true,
					Kind.DISABLED, NacosConfigPreference.LOCAL, -1));
		}
		NacosConfigBootstrap bootstrap = NacosConfigBootstrap.get(context.getBootstrapContext(), context.getBinder());
		NacosConfigLocation parsed = parse(location);
		NacosConfigProperties config = bootstrap.config();
		List<NacosConfigDataResource> resources = new ArrayList<>();
		// Every import names them; Boot loads each once. Where Boot attaches them does
		// not
		// matter: NacosConfigPrecedenceEnvironmentPostProcessor ranks them below the
		// application's own data ids afterwards.
		String namespace = bootstrap.defaultNamespace();
		addEntries(resources, config.getSharedConfigs(), Kind.SHARED, "shared-configs", location, config, namespace);
		addEntries(resources, config.getExtensionConfigs(), Kind.EXTENSION, "extension-configs", location, config,
				namespace);
		if (parsed.isBare()) {
			resources
				.add(resource(parsed, location, applicationPrefix(context, config) + "." + config.getFileExtension(),
						false, Kind.APPLICATION, config, namespace));
		}
		else {
			for (String dataId : parsed.dataIds()) {
				resources.add(resource(parsed, location, dataId, true, Kind.APPLICATION, config, namespace));
			}
		}
		this.logger.debug("Resolved " + location + " to " + resources);
		return resources;
	}

	@Override
	public List<NacosConfigDataResource> resolveProfileSpecific(ConfigDataLocationResolverContext context,
			ConfigDataLocation location, Profiles profiles) throws ConfigDataLocationNotFoundException {
		NacosConfigLocation parsed = parse(location);
		if (!parsed.isBare() || !isEnabled(context)) {
			return List.of();
		}
		NacosConfigBootstrap bootstrap = NacosConfigBootstrap.get(context.getBootstrapContext(), context.getBinder());
		NacosConfigProperties config = bootstrap.config();
		String prefix = applicationPrefix(context, config);
		List<NacosConfigDataResource> resources = new ArrayList<>();
		for (String profile : profiles.getActive()) {
			resources.add(resource(parsed, location, prefix + "-" + profile + "." + config.getFileExtension(), false,
					Kind.PROFILE, config, bootstrap.defaultNamespace()));
		}
		return resources;
	}

	private static NacosConfigLocation parse(ConfigDataLocation location) {
		try {
			return NacosConfigLocation.parse(location.getNonPrefixedValue(NacosConfigLocation.PREFIX));
		}
		catch (IllegalArgumentException ex) {
			throw new NacosConfigImportException(location.toString(), ex.getMessage());
		}
	}

	private static String applicationPrefix(ConfigDataLocationResolverContext context, NacosConfigProperties config) {
		if (StringUtils.hasText(config.getPrefix())) {
			return config.getPrefix().trim();
		}
		return context.getBinder()
			.bind("spring.application.name", String.class)
			.orElseThrow(() -> new NacosConfigImportException(NacosConfigLocation.PREFIX,
					"a bare 'nacos:' import loads ${spring.application.name}.${file-extension}, but "
							+ "spring.application.name is not set: set it (or " + NacosConfigProperties.PREFIX
							+ ".prefix), or name the data ids, e.g. 'nacos:app.yaml'"));
	}

	private static NacosConfigDataResource resource(NacosConfigLocation parsed, ConfigDataLocation location,
			String dataId, boolean explicit, Kind kind, NacosConfigProperties config, @Nullable String namespace) {
		String group = (parsed.group() != null) ? parsed.group() : config.getGroup();
		boolean refresh = (parsed.refresh() != null) ? parsed.refresh() : config.isRefreshEnabled();
		NacosConfigPreference preference = (parsed.preference() != null) ? parsed.preference()
				: defaultPreference(config);
		return new NacosConfigDataResource(dataId, group, (parsed.namespace() != null) ? parsed.namespace() : namespace,
				refresh, explicit && !location.isOptional(), location.isOptional(), kind, preference, -1);
	}

	/**
	 * {@code spring.cloud.nacos.config.preference}, or {@code local-first} when the
	 * deprecated {@code local-first=true} says so.
	 */
	@SuppressWarnings("deprecation")
	static NacosConfigPreference defaultPreference(NacosConfigProperties config) {
		return config.isLocalFirst() ? NacosConfigPreference.LOCAL_FIRST : config.getPreference();
	}

	private static void addEntries(List<NacosConfigDataResource> resources,
			List<NacosConfigProperties.ConfigEntry> entries, Kind kind, String property, ConfigDataLocation location,
			NacosConfigProperties config, @Nullable String namespace) {
		for (int i = 0; i < entries.size(); i++) {
			NacosConfigProperties.ConfigEntry entry = entries.get(i);
			if (!StringUtils.hasText(entry.getDataId())) {
				throw new NacosConfigImportException(NacosConfigProperties.PREFIX + "." + property + "[" + i + "]",
						"data-id is not set");
			}
			String group = StringUtils.hasText(entry.getGroup()) ? entry.getGroup().trim()
					: NacosConfigProperties.DEFAULT_GROUP;
			resources.add(new NacosConfigDataResource(entry.getDataId().trim(), group, namespace, entry.isRefresh(),
					false, location.isOptional(), kind, defaultPreference(config), i));
		}
	}

}
