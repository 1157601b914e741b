package dev.nacosboot.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.nacosboot.config.NacosConfigDataResource.Kind;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * Puts the Nacos sources in their documented order once config data is loaded (also when
 * Spring Cloud's refresh loads it again):
 * <ol>
 * <li>{@code shared-configs} and {@code extension-configs} rank right below the lowest of
 * the application's own data ids, extension above shared and a later entry above an
 * earlier one. Every import names them and Spring Boot attaches a resource to the import
 * that loads it first, which can be any of several imports.</li>
 * <li>Sources with the preference {@code local-first} move below the last local config
 * file, keeping their order.</li>
 * </ol>
 * {@code local} and {@code remote} are Spring Boot's own placements (see
 * {@link NacosConfigDataLoader}).
 */
public class NacosConfigPrecedenceEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** Right after config data has been loaded. */
	public static final int ORDER = ConfigDataEnvironmentPostProcessor.ORDER + 1;

	/** How Spring Boot names the sources of local config files. */
	private static final String LOCAL_SOURCE_PREFIX = "Config resource '";

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		arrange(environment.getPropertySources());
	}

	static void arrange(MutablePropertySources sources) {
		rankSharedAndExtensionBelowTheApplications(sources);
		moveLocalFirstBelowLocalFiles(sources);
	}

	private static void rankSharedAndExtensionBelowTheApplications(MutablePropertySources sources) {
		List<NacosConfigPropertySource> nacos = nacosSources(sources);
		NacosConfigPropertySource lowestOwn = null;
		List<NacosConfigPropertySource> extension = new ArrayList<>();
		List<NacosConfigPropertySource> shared = new ArrayList<>();
		for (NacosConfigPropertySource source : nacos) {
			Kind kind = source.getResource().getKind();
			if (kind == Kind.APPLICATION || kind == Kind.PROFILE) {
				lowestOwn = source;
			}
			else if (kind == Kind.EXTENSION) {
				extension.add(source);
			}
			else if (kind == Kind.SHARED) {
				shared.add(source);
			}
		}
		if (lowestOwn == null || (extension.isEmpty() && shared.isEmpty())) {
			return;
		}
		Comparator<NacosConfigPropertySource> laterEntryFirst = Comparator
			.comparingInt((NacosConfigPropertySource source) -> source.getResource().getIndex())
			.reversed();
		extension.sort(laterEntryFirst);
		shared.sort(laterEntryFirst);
		List<NacosConfigPropertySource> ordered = new ArrayList<>(extension);
		ordered.addAll(shared);
		ordered.forEach((source) -> sources.remove(source.getName()));
		String after = lowestOwn.getName();
		for (NacosConfigPropertySource source : ordered) {
			sources.addAfter(after, source);
			after = source.getName();
		}
	}

	private static void moveLocalFirstBelowLocalFiles(MutablePropertySources sources) {
		List<NacosConfigPropertySource> localFirst = new ArrayList<>();
		for (NacosConfigPropertySource source : nacosSources(sources)) {
			if (source.getResource().getPreference() == NacosConfigPreference.LOCAL_FIRST) {
				localFirst.add(source);
			}
		}
		String lastLocal = lastLocalFile(sources);
		if (localFirst.isEmpty() || lastLocal == null) {
			return;
		}
		localFirst.forEach((source) -> sources.remove(source.getName()));
		String after = lastLocal;
		for (PropertySource<?> source : localFirst) {
			sources.addAfter(after, source);
			after = source.getName();
		}
	}

	private static @Nullable String lastLocalFile(MutablePropertySources sources) {
		String last = null;
		for (PropertySource<?> source : sources) {
			if (source.getName().startsWith(LOCAL_SOURCE_PREFIX)) {
				last = source.getName();
			}
		}
		return last;
	}

	private static List<NacosConfigPropertySource> nacosSources(MutablePropertySources sources) {
		List<NacosConfigPropertySource> nacos = new ArrayList<>();
		for (PropertySource<?> source : sources) {
			if (source instanceof NacosConfigPropertySource nacosSource) {
				nacos.add(nacosSource);
			}
		}
		return nacos;
	}

}
