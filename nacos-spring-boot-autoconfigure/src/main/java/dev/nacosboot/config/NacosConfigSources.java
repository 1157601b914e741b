package dev.nacosboot.config;

import java.time.Instant;
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

	/**
	 * The loaded config of a resource.
	 * @param resource the data id
	 * @return the loaded config, {@code null} when it was not loaded
	 */
	@Nullable Loaded find(NacosConfigDataResource resource) {
		for (Loaded config : this.loaded) {
			if (config.resource().equals(resource)) {
				return config;
			}
		}
		return null;
	}

	/** The loaded configs, in load order. */
	public List<Loaded> all() {
		return new ArrayList<>(this.loaded);
	}

	/**
	 * The config clients the loaded configs are read through, one per namespace, as far
	 * as they exist: configs read over HTTP at startup get theirs once the application is
	 * ready, or when something needs it earlier. Creates none.
	 * @return the distinct clients, in load order
	 */
	public List<ConfigService> clients() {
		List<ConfigService> clients = new ArrayList<>();
		for (Loaded config : this.loaded) {
			ConfigService client = config.existingConfigService();
			if (client != null && !clients.contains(client)) {
				clients.add(client);
			}
		}
		return clients;
	}

	/**
	 * Whether some loaded configs have no config client yet: they were read over HTTP at
	 * startup, and their client is created once the application is ready.
	 * @return whether a client is still to be created
	 */
	public boolean awaitsClients() {
		for (Loaded config : this.loaded) {
			if (config.existingConfigService() == null) {
				return true;
			}
		}
		return false;
	}

	/**
	 * A loaded config.
	 */
	public static final class Loaded {

		private final NacosConfigDataResource resource;

		private final ClientSource client;

		private volatile @Nullable NacosConfigFormat format;

		private final String serverDescription;

		private volatile @Nullable String md5;

		private volatile @Nullable Instant missingSince;

		private volatile long appliedCount;

		private volatile @Nullable Pending pending;

		Loaded(NacosConfigDataResource resource, ClientSource client, @Nullable NacosConfigFormat format,
				String serverDescription, @Nullable String md5) {
			this.resource = resource;
			this.client = client;
			this.format = format;
			this.serverDescription = serverDescription;
			this.md5 = md5;
		}

		public NacosConfigDataResource resource() {
			return this.resource;
		}

		/**
		 * The config client that reads and listens to this data id, created on first use
		 * when the data id was read over HTTP at startup (one client per namespace,
		 * shared with the {@code ConfigService} bean).
		 * @return the client
		 * @throws dev.nacosboot.core.NacosClientCreationException when it cannot be
		 * created
		 * @throws IllegalStateException when the application's clients are closed
		 */
		public ConfigService configService() {
			return this.client.get();
		}

		/**
		 * The config client of this data id if it exists; never creates it.
		 * @return the client, or {@code null}
		 */
		public @Nullable ConfigService existingConfigService() {
			return this.client.ifCreated();
		}

		/**
		 * The format, {@code null} while unknown (a data id that was missing at startup
		 * and whose name tells no supported format).
		 */
		@Nullable NacosConfigFormat format() {
			return this.format;
		}

		void format(NacosConfigFormat format) {
			this.format = format;
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

		/**
		 * Since when a required data id is deleted on the server while its last good
		 * values stay in the {@code Environment}; {@code null} while it exists.
		 */
		public @Nullable Instant missingSince() {
			return this.missingSince;
		}

		void missingSince(@Nullable Instant missingSince) {
			this.missingSince = missingSince;
		}

		public String propertySourceName() {
			return this.resource.propertySourceName();
		}

		/** How many changes the in-place refresh applied; only its thread writes it. */
		long appliedCount() {
			return this.appliedCount;
		}

		void applied() {
			this.appliedCount++;
		}

		/**
		 * What Spring Cloud's refresh read for this data id and is about to swap in.
		 */
		@Nullable Pending pending() {
			return this.pending;
		}

		void pending(@Nullable Pending pending) {
			this.pending = pending;
		}

	}

	/**
	 * Where a loaded config's client comes from.
	 */
	interface ClientSource {

		/**
		 * The client, created on first use.
		 * @return the client
		 */
		ConfigService get();

		/**
		 * The client if it was created.
		 * @return the client, or {@code null}
		 */
		@Nullable ConfigService ifCreated();

		/**
		 * A client that exists already.
		 * @param client the client
		 * @return its source
		 */
		static ClientSource of(ConfigService client) {
			return new ClientSource() {

				@Override
				public ConfigService get() {
					return client;
				}

				@Override
				public ConfigService ifCreated() {
					return client;
				}

			};
		}

	}

	/**
	 * A source that Spring Cloud's refresh read again and will swap into the
	 * {@code Environment}.
	 *
	 * @param source the new source
	 * @param md5 md5 of its content
	 * @param appliedCountWhenRead {@link Loaded#appliedCount()} when it was read: a
	 * higher count later means the in-place refresh applied newer content meanwhile
	 */
	record Pending(NacosConfigPropertySource source, String md5, long appliedCountWhenRead) {
	}

}
