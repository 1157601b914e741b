package dev.nacosboot.actuate;

import java.util.List;

import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.config.NacosConfigSources;
import dev.nacosboot.core.NacosClientPropertiesFactory;
import dev.nacosboot.core.NacosClients;
import dev.nacosboot.core.NacosConnectionDetails;

/**
 * Whether the config clients that serve this application's {@code nacos:} imports are
 * connected. The clients are the ones the imports created: asked from the context's
 * {@link NacosClients} with the same settings, one per namespace of an import.
 */
public class NacosConfigConnection {

	private final NacosClients clients;

	private final NacosConnectionDetails connection;

	private final NacosConfigSources sources;

	public NacosConfigConnection(NacosClients clients, NacosConnectionDetails connection, NacosConfigSources sources) {
		this.clients = clients;
		this.connection = connection.forConfig();
		this.sources = sources;
	}

	/**
	 * Whether every config client in use reports that it is connected; {@code true} when
	 * nothing is imported. Not connected while a client is still to be created (configs
	 * read over HTTP at startup get theirs once the application is ready): the grace
	 * period reports that as connecting.
	 * @return whether connected
	 */
	public boolean isConnected() {
		List<ConfigService> services = this.sources.clients();
		// getServerStatus() of nacos-client's config client starts a new connection when
		// its own is gone: asked while the context closes, it would leave one open after
		// the shutdown.
		return this.clients.ifOpen(() -> {
			if (this.sources.awaitsClients()) {
				return false;
			}
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
		return NacosClientPropertiesFactory.describeServer(this.connection);
	}

	/**
	 * The namespace the config clients use unless an import names another.
	 * @return the namespace id, "public" when unset
	 */
	public String namespace() {
		String namespace = this.connection.getNamespace();
		return (namespace == null || namespace.isBlank()) ? "public" : namespace;
	}

}
