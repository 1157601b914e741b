package dev.nacosboot.actuate;

import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.common.remote.client.RpcClient;
import com.alibaba.nacos.common.remote.client.RpcClientFactory;
import dev.nacosboot.config.NacosConfigSources;
import dev.nacosboot.core.NacosClientInternals;
import dev.nacosboot.core.NacosClientPropertiesFactory;
import dev.nacosboot.core.NacosClients;
import dev.nacosboot.core.NacosConnectionDetails;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.util.ConcurrentReferenceHashMap;

/**
 * Whether the config clients that serve this application's {@code nacos:} imports are
 * connected. The clients are the ones the imports created: asked from the context's
 * {@link NacosClients} with the same settings, one per namespace of an import.
 */
public class NacosConfigConnection {

	private static final Log logger = LogFactory.getLog(NacosConfigConnection.class);

	/** One reader per client, dropped with the client. */
	private final Map<ConfigService, BooleanSupplier> readers = new ConcurrentReferenceHashMap<>(4,
			ConcurrentReferenceHashMap.ReferenceType.WEAK);

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
				if (!this.readers.computeIfAbsent(service, NacosConfigConnection::connectionOf).getAsBoolean()) {
					return false;
				}
			}
			return true;
		}, true);
	}

	/**
	 * A check of a config client's connection that neither waits nor connects: the
	 * client's gRPC connections (named after its worker) are running. Its
	 * {@code getServerStatus()} waits for a connection being opened, which held a health
	 * check right after ready for as long as the listeners took to connect.
	 * @param service the client
	 * @return whether it is connected
	 */
	static BooleanSupplier connectionOf(ConfigService service) {
		try {
			String prefix = NacosClientInternals.field(NacosClientInternals.field(service, "worker"), "uuid")
					+ "_config-";
			return () -> {
				boolean any = false;
				for (Map.Entry<String, RpcClient> client : RpcClientFactory.getAllClientEntries()) {
					if (client.getKey().startsWith(prefix)) {
						if (!client.getValue().isRunning()) {
							return false;
						}
						any = true;
					}
				}
				return any;
			};
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.debug("Reading the config client's connection through getServerStatus(): " + ex);
			return () -> "UP".equals(service.getServerStatus());
		}
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
