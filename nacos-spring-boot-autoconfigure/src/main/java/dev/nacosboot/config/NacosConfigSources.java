package dev.nacosboot.config;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.alibaba.nacos.api.config.ConfigService;
import org.jspecify.annotations.Nullable;

/**
 * The Nacos configs loaded into one application's {@code Environment}: which
 * {@code PropertySource} holds which data id, read through which client, in which format,
 * at which md5. Filled while config data loads, then handed to the context (bean
 * {@value #BEAN_NAME}) for the watcher.
 */
public final class NacosConfigSources {

	/** Name of the bean. */
	public static final String BEAN_NAME = "nacosConfigSources";

	private final List<Loaded> loaded = new CopyOnWriteArrayList<>();

	void add(Loaded config) {
		this.loaded.removeIf((existing) -> existing.resource().equals(config.resource()));
		this.loaded.add(config);
	}

	/** The loaded configs, in load order. */
	public List<Loaded> all() {
		return new ArrayList<>(this.loaded);
	}

	/**
	 * The config clients the loaded configs are read through, one per namespace.
	 * @return the distinct clients, in load order
	 */
	public List<ConfigService> clients() {
		return this.loaded.stream().map(Loaded::configService).distinct().toList();
	}

	/**
	 * A loaded config.
	 */
	public static final class Loaded {

		private final NacosConfigDataResource resource;

		private final ConfigService configService;

		private final NacosConfigFormat format;

		private final String serverDescription;

		private volatile @Nullable String md5;

		Loaded(NacosConfigDataResource resource, ConfigService configService, NacosConfigFormat format,
				String serverDescription, @Nullable String md5) {
			this.resource = resource;
			this.configService = configService;
			this.format = format;
			this.serverDescription = serverDescription;
			this.md5 = md5;
		}

		public NacosConfigDataResource resource() {
			return this.resource;
		}

		ConfigService configService() {
			return this.configService;
		}

		NacosConfigFormat format() {
			return this.format;
		}

		String serverDescription() {
			return this.serverDescription;
		}

		/**
		 * md5 of the content in the {@code Environment}, {@code null} when none was
		 * loaded.
		 */
		public @Nullable String md5() {
			return this.md5;
		}

		void md5(@Nullable String md5) {
			this.md5 = md5;
		}

		public String propertySourceName() {
			return this.resource.propertySourceName();
		}

	}

}
