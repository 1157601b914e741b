package dev.nacosboot.actuate;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.config.NacosConfigProperties;
import dev.nacosboot.config.NacosConfigSources;
import dev.nacosboot.core.NacosClientPropertiesFactory;
import dev.nacosboot.core.NacosClients;
import dev.nacosboot.core.NacosProperties;

/**
 * Whether the config clients that serve this application's {@code nacos:} imports are
 * connected. The clients are the ones the imports created and read through (never new
 * ones).
 */
public class NacosConfigConnection {

	private final NacosClients clients;

	private final NacosProperties shared;

	private final NacosConfigProperties config;

	private final NacosConfigSources sources;

	public NacosConfigConnection(NacosClients clients, NacosProperties shared, NacosConfigProperties config,
			NacosConfigSources sources) {
		this.clients = clients;
		this.shared = shared;
		this.config = config;
		this.sources = sources;
	}

	/**
	 * Whether every config client in use reports that it is connected; {@code true} when
	 * nothing is imported.
	 * @return whether connected
	 */
	public boolean isConnected() {
		List<ConfigService> services = services();
		// getServerStatus() of nacos-client's config client starts a new connection when
		// its own is gone: asked
		// while the context closes, it would leave one open after the shutdown.
		return this.clients.ifOpen(() -> {
			for (ConfigService service : services) {
				if (!"UP".equals(service.getServerStatus())) {
					return false;
				}
			}
			return true;
		}, true);
	}

	/**
	 * Where the config clients connect, for display.
	 * @return the server list or endpoint
	 */
	public String serverDescription() {
		return NacosClientPropertiesFactory.describeServer(this.shared, this.config);
	}

	/**
	 * The namespace the config clients use unless an import names another.
	 * @return the namespace id, "public" when unset
	 */
	public String namespace() {
		String namespace = (this.config.getNamespace() != null) ? this.config.getNamespace()
				: this.shared.getNamespace();
		return (namespace == null || namespace.isBlank()) ? "public" : namespace;
	}

	private List<ConfigService> services() {
		if (this.clients.isClosed()) {
			return List.of();
		}
		Set<ConfigService> services = Collections.newSetFromMap(new IdentityHashMap<>());
		for (NacosConfigSources.Loaded loaded : this.sources.all()) {
			services.add(loaded.configService());
		}
		return List.copyOf(services);
	}

}
