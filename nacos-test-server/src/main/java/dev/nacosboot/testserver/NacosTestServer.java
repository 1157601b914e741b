package dev.nacosboot.testserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import com.alibaba.nacos.api.naming.pojo.Instance;
import com.alibaba.nacos.api.remote.request.HealthCheckRequest;
import com.alibaba.nacos.api.remote.response.HealthCheckResponse;

/**
 * An embedded, in-memory server that speaks the protocol of the official Nacos Java
 * client (gRPC on port + 1000, plus a small HTTP API on the port itself), for tests and
 * local development. It is not a Nacos replacement: no persistence, no cluster, no
 * console.
 *
 * <pre>{@code
 * try (NacosTestServer server = NacosTestServer.builder().build().start()) {
 *     NamingService naming = NacosFactory.createNamingService(server.serverAddr());
 *     ...
 * }
 * }</pre>
 */
public final class NacosTestServer implements AutoCloseable {

	/** The offset of the gRPC port the Nacos client uses by default. */
	public static final int GRPC_PORT_OFFSET = 1000;

	private final String host;

	private final int requestedPort;

	private final GrpcEndpoint.Tls tls;

	private final AuthRegistry auth;

	private final ConnectionRegistry connections = new ConnectionRegistry();

	private final NamingStore naming;

	private final ConfigStore configs = new ConfigStore();

	private final RequestRouter router;

	/** HTTP requests received, by path, across restarts. */
	private final Map<String, LongAdder> httpRequests = new ConcurrentHashMap<>();

	private final List<FuzzyWatchRegistry> fuzzyWatches;

	private final boolean namingFuzzyWatch;

	private volatile int port = -1;

	private GrpcEndpoint grpc;

	private HttpEndpoint http;

	private NacosTestServer(Builder builder) {
		this.host = builder.host;
		this.requestedPort = builder.port;
		this.tls = builder.tls;
		this.naming = new NamingStore(builder.pushDelay, builder.closedConnectionRetention);
		this.auth = new AuthRegistry(builder.clock);
		this.auth.enable(builder.authEnabled);
		this.auth.tokenTtl(builder.tokenTtl);
		builder.users.forEach(this.auth::addUser);
		builder.configs.forEach((key, item) -> this.configs.publish(key, item.content(), item.type(), null));
		this.router = new RequestRouter(this.auth);
		this.router.add(HealthCheckRequest.class, HealthCheckResponse::new, false,
				(request, connection) -> new HealthCheckResponse());
		this.namingFuzzyWatch = builder.namingFuzzyWatch;
		NamingRequests namingRequests = new NamingRequests(this.naming, builder.namingFuzzyWatch);
		namingRequests.registerOn(this.router);
		ConfigRequests configRequests = new ConfigRequests(this.configs);
		configRequests.registerOn(this.router);
		this.fuzzyWatches = List.of(namingRequests.fuzzyWatches(), configRequests.fuzzyWatches());
		this.connections.onClose(this.naming::connectionClosed);
		this.connections.onClose(this.configs::connectionClosed);
		this.fuzzyWatches.forEach((watches) -> this.connections.onClose(watches::connectionClosed));
	}

	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Starts listening: HTTP on the port, gRPC on port + 1000. A port of 0 picks a free
	 * pair.
	 * @return this server
	 */
	public synchronized NacosTestServer start() {
		if (this.grpc != null) {
			return this;
		}
		this.naming.resumePushes();
		boolean fixedPort = this.port > 0 || this.requestedPort > 0;
		// A fixed port (or a restart) may still be held for a moment by the sockets just
		// closed: retry it briefly.
		int attempts = fixedPort ? 50 : 10;
		IOException failure = null;
		for (int attempt = 0; attempt < attempts; attempt++) {
			int candidate = (this.port > 0) ? this.port
					: (this.requestedPort > 0) ? this.requestedPort : freePortPair();
			try {
				bind(candidate);
				this.port = candidate;
				return this;
			}
			catch (IOException ex) {
				failure = ex;
				stopEndpoints();
				if (fixedPort) {
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
				}
			}
		}
		throw new UncheckedIOException("Could not start the Nacos test server on " + this.host + ":"
				+ ((this.port > 0) ? this.port : this.requestedPort), failure);
	}

	private void bind(int candidate) throws IOException {
		GrpcEndpoint grpcEndpoint = new GrpcEndpoint(this.connections, this.router,
				(labels) -> Abilities.of(labels, this.namingFuzzyWatch), this.tls);
		this.grpc = grpcEndpoint;
		grpcEndpoint.start(this.host, candidate + GRPC_PORT_OFFSET);
		HttpEndpoint httpEndpoint = new HttpEndpoint(this.auth, this.naming, this.configs, this.httpRequests);
		this.http = httpEndpoint;
		httpEndpoint.start(this.host, candidate);
	}

	/**
	 * Stops listening and forgets every connection and what was bound to it (ephemeral
	 * instances, subscriptions, config listeners), as a stopped Nacos does. Configs,
	 * persistent instances and users stay for a restart.
	 */
	public synchronized void stop() {
		// A stopping Nacos never pushes the removal of the instances of the connections
		// it
		// closes to the others: no push from here on (a connection's release runs
		// asynchronously, and could otherwise reach a client not closed yet), and every
		// connection is closed before any of them is released.
		this.naming.suspendPushes();
		this.connections.all().forEach(ServerConnection::close);
		stopEndpoints();
		this.connections.closeAll();
		this.naming.clearEphemeral();
		this.configs.clearListeners();
		this.fuzzyWatches.forEach(FuzzyWatchRegistry::clear);
	}

	/**
	 * Stops and starts again on the same ports; connected clients reconnect and replay
	 * their registrations, subscriptions and listeners by themselves.
	 */
	public synchronized void restart() {
		stop();
		start();
	}

	@Override
	public synchronized void close() {
		stop();
		this.naming.shutdown();
		this.configs.shutdown();
		this.fuzzyWatches.forEach(FuzzyWatchRegistry::shutdown);
	}

	private void stopEndpoints() {
		if (this.http != null) {
			this.http.stop();
			this.http = null;
		}
		if (this.grpc != null) {
			this.grpc.stop();
			this.grpc = null;
		}
	}

	public boolean isRunning() {
		return this.grpc != null;
	}

	public String host() {
		return this.host;
	}

	/** The HTTP port, the one a client is configured with. */
	public int port() {
		if (this.port < 0) {
			throw new IllegalStateException("The Nacos test server has not been started");
		}
		return this.port;
	}

	public int grpcPort() {
		return port() + GRPC_PORT_OFFSET;
	}

	/** The address to give a client as {@code serverAddr}: {@code host:port}. */
	public String serverAddr() {
		return this.host + ":" + port();
	}

	// ---- state for assertions

	/**
	 * Instances of a service as the server holds them (namespace {@code null} or "" means
	 * public).
	 */
	public List<Instance> instances(String namespace, String group, String serviceName) {
		return this.naming.instances(ServiceKey.of(namespace, group, serviceName));
	}

	public List<Instance> instances(String serviceName) {
		return instances(null, null, serviceName);
	}

	/** Ids of the connections subscribed to a service. */
	public List<String> subscribers(String namespace, String group, String serviceName) {
		return this.naming.subscriberConnections(ServiceKey.of(namespace, group, serviceName));
	}

	/** Ids of the connections listening to a config. */
	public List<String> configListeners(String tenant, String group, String dataId) {
		return this.configs.listenerConnections(ConfigKey.of(tenant, group, dataId));
	}

	/** The connections that completed their setup. */
	public List<ClientConnection> connections() {
		List<ClientConnection> result = new ArrayList<>();
		for (ServerConnection connection : this.connections.all()) {
			result.add(new ClientConnection(connection.id(), connection.clientIp(), connection.module(),
					connection.clientVersion(), connection.labels()));
		}
		return result;
	}

	/** The content of a config, if there is one. */
	public Optional<String> config(String tenant, String group, String dataId) {
		return Optional.ofNullable(this.configs.get(ConfigKey.of(tenant, group, dataId)))
			.map(ConfigStore.ConfigItem::content);
	}

	/**
	 * How many requests of a type the server has received from clients, by the request's
	 * simple class name (e.g. {@code "ConfigQueryRequest"}, {@code "InstanceRequest"}).
	 */
	public long requestCount(String requestType) {
		return this.router.count(requestType);
	}

	/**
	 * How many HTTP requests the server has received for a path (e.g.
	 * {@code "/nacos/v3/client/cs/config"}), whatever their method and answer.
	 */
	public long httpRequestCount(String path) {
		LongAdder count = this.httpRequests.get(path);
		return (count != null) ? count.sum() : 0;
	}

	/** How many HTTP requests the server has received, for any path. */
	public long httpRequestCount() {
		return this.httpRequests.values().stream().mapToLong(LongAdder::sum).sum();
	}

	/** How many times clients have read this config over gRPC. */
	public long configQueryCount(String tenant, String group, String dataId) {
		return this.configs.queryCount(ConfigKey.of(tenant, group, dataId));
	}

	// ---- control

	/** Publishes a config as a client would, notifying its listeners. */
	public void publishConfig(String tenant, String group, String dataId, String content, String type) {
		this.configs.publish(ConfigKey.of(tenant, group, dataId), content, type, null);
	}

	public boolean removeConfig(String tenant, String group, String dataId) {
		return this.configs.remove(ConfigKey.of(tenant, group, dataId));
	}

	/**
	 * Forgets all connections without closing them: each client's next request is refused
	 * as unregistered (301), so it reconnects and replays its state.
	 */
	public void forgetConnections() {
		this.connections.forgetAll();
	}

	/** Turns auth on or off at runtime. */
	public void enableAuth(boolean enabled) {
		this.auth.enable(enabled);
	}

	public void addUser(String username, String password) {
		this.auth.addUser(username, password);
	}

	/** How many tokens logins have issued (auth on). */
	public long tokensIssued() {
		return this.auth.logins();
	}

	/** How many of the issued tokens have expired by now. */
	public long tokensExpired() {
		return this.auth.expiredTokens();
	}

	/**
	 * How many requests were refused for a missing, invalid or expired token (auth on).
	 */
	public long authRefusals() {
		return this.auth.refusals();
	}

	/** Invalidates every issued token. */
	public void forgetTokens() {
		this.auth.forgetTokens();
	}

	private int freePortPair() {
		for (int attempt = 0; attempt < 50; attempt++) {
			int candidate = ThreadLocalRandom.current().nextInt(20_000, 40_000);
			if (isFree(candidate) && isFree(candidate + GRPC_PORT_OFFSET)) {
				return candidate;
			}
		}
		throw new IllegalStateException("No free port P with P + " + GRPC_PORT_OFFSET + " free on " + this.host);
	}

	private boolean isFree(int candidate) {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(false);
			socket.bind(new InetSocketAddress(InetAddress.getByName(this.host), candidate));
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * A client connection as the server sees it.
	 *
	 * @param id the connection id
	 * @param clientIp the client's address
	 * @param module {@code naming} or {@code config}
	 * @param clientVersion the version the client reported
	 * @param labels the labels the client sent at setup
	 */
	public record ClientConnection(String id, String clientIp, String module, String clientVersion,
			Map<String, String> labels) {
	}

	/**
	 * Options of a {@link NacosTestServer}.
	 */
	public static final class Builder {

		private String host = "127.0.0.1";

		private int port;

		private boolean authEnabled;

		private Duration tokenTtl = Duration.ofHours(5);

		private final Map<String, String> users = new LinkedHashMap<>();

		private final Map<ConfigKey, ConfigStore.ConfigItem> configs = new LinkedHashMap<>();

		private Clock clock = Clock.systemUTC();

		private GrpcEndpoint.Tls tls;

		private Duration pushDelay = Duration.ZERO;

		private Duration closedConnectionRetention = Duration.ZERO;

		private boolean namingFuzzyWatch = true;

		private Builder() {
		}

		/**
		 * Crashed-member mode: the ephemeral instances of a connection stay listed,
		 * healthy, for this long after the connection is gone, as the surviving members
		 * of a Nacos cluster keep the instances of a crashed member's clients until their
		 * expiry (up to 3 minutes), even when those clients never come back. Zero, the
		 * default, removes them with the connection, as a single server does.
		 */
		public Builder crashedMemberMode(Duration retention) {
			if (retention.isNegative()) {
				throw new IllegalArgumentException("retention must not be negative, was " + retention);
			}
			this.closedConnectionRetention = retention;
			return this;
		}

		/**
		 * Whether naming clients may fuzzy-watch services (Nacos 3), on by default. Off,
		 * the server looks to a naming client as a Nacos 2.x server, or a 3.x one with
		 * {@code nacos.core.ability.fuzzyWatch=false}, does: its ability table says no
		 * fuzzy watch (the client then refuses to fuzzy-watch) and fuzzy watch requests
		 * find no handler. Config clients keep fuzzy watch.
		 */
		public Builder namingFuzzyWatch(boolean enabled) {
			this.namingFuzzyWatch = enabled;
			return this;
		}

		/**
		 * Delays naming pushes, merging the changes made meanwhile into one push, as a
		 * real Nacos does (it waits 500 ms). Zero, the default, pushes every change at
		 * once.
		 */
		public Builder pushDelay(Duration pushDelay) {
			if (pushDelay.isNegative()) {
				throw new IllegalArgumentException("pushDelay must not be negative, was " + pushDelay);
			}
			this.pushDelay = pushDelay;
			return this;
		}

		/**
		 * Serves gRPC over TLS with this certificate chain and PKCS#8 private key (PEM
		 * files); HTTP stays plain.
		 */
		public Builder tls(java.nio.file.Path certificateChainPem, java.nio.file.Path privateKeyPem) {
			this.tls = new GrpcEndpoint.Tls(certificateChainPem, privateKeyPem);
			return this;
		}

		/** Address to bind, {@code 127.0.0.1} by default. */
		public Builder host(String host) {
			this.host = host;
			return this;
		}

		/** HTTP port (gRPC listens on port + 1000); 0, the default, picks a free pair. */
		public Builder port(int port) {
			if (port < 0 || port + GRPC_PORT_OFFSET > 65535) {
				throw new IllegalArgumentException("port must be between 0 and " + (65535 - GRPC_PORT_OFFSET)
						+ " (gRPC listens on port + " + GRPC_PORT_OFFSET + "), was " + port);
			}
			this.port = port;
			return this;
		}

		/** Turns auth on with one user; call again for more users. */
		public Builder user(String username, String password) {
			this.authEnabled = true;
			this.users.put(username, password);
			return this;
		}

		public Builder tokenTtl(Duration tokenTtl) {
			this.tokenTtl = tokenTtl;
			return this;
		}

		Builder clock(Clock clock) {
			this.clock = clock;
			return this;
		}

		/** Seeds a config in the public namespace. */
		public Builder config(String group, String dataId, String content) {
			return config(null, group, dataId, content, null);
		}

		/** Seeds a config. */
		public Builder config(String tenant, String group, String dataId, String content, String type) {
			this.configs.put(ConfigKey.of(tenant, group, dataId),
					new ConfigStore.ConfigItem(content, ConfigStore.md5(content), type, 0));
			return this;
		}

		public NacosTestServer build() {
			return new NacosTestServer(this);
		}

	}

}
