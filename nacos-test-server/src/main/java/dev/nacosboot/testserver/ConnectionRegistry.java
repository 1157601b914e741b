package dev.nacosboot.testserver;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Connections that completed their setup, by connection id. A request from a transport
 * whose connection is not registered here is answered with {@code UN_REGISTER} (301),
 * which makes the client reconnect and replay its state, as a real Nacos does.
 */
final class ConnectionRegistry {

	private final Map<String, ServerConnection> connections = new ConcurrentHashMap<>();

	private final List<Consumer<ServerConnection>> closeListeners = new CopyOnWriteArrayList<>();

	void onClose(Consumer<ServerConnection> listener) {
		this.closeListeners.add(listener);
	}

	/**
	 * Transports that are gone. A client that closes right after connecting can have its
	 * transport terminated (on the transport's thread) before its setup request is
	 * handled (on a call's thread): registering it then would keep a connection no client
	 * has.
	 */
	private final Set<String> closedTransports = ConcurrentHashMap.newKeySet();

	void register(ServerConnection connection) {
		ServerConnection previous;
		synchronized (this) {
			if (this.closedTransports.contains(connection.id())) {
				connection.close();
				return;
			}
			previous = this.connections.put(connection.id(), connection);
		}
		if (previous != null && previous != connection) {
			release(previous);
		}
	}

	ServerConnection get(String connectionId) {
		return (connectionId != null) ? this.connections.get(connectionId) : null;
	}

	List<ServerConnection> all() {
		return List.copyOf(this.connections.values());
	}

	/**
	 * Called when the transport behind a connection is gone (client closed, network
	 * dropped, server stopping).
	 */
	void transportClosed(String connectionId) {
		if (connectionId == null) {
			return;
		}
		ServerConnection connection;
		synchronized (this) {
			this.closedTransports.add(connectionId);
			connection = this.connections.remove(connectionId);
		}
		if (connection != null) {
			release(connection);
		}
	}

	/**
	 * Forgets every connection without closing its transport, as a server that lost its
	 * connection table would: the next request of each client is refused with
	 * {@code UN_REGISTER}.
	 */
	void forgetAll() {
		for (ServerConnection connection : all()) {
			if (this.connections.remove(connection.id(), connection)) {
				this.closeListeners.forEach((listener) -> listener.accept(connection));
			}
		}
	}

	void closeAll() {
		for (ServerConnection connection : all()) {
			transportClosed(connection.id());
		}
	}

	private void release(ServerConnection connection) {
		connection.close();
		this.closeListeners.forEach((listener) -> listener.accept(connection));
	}

}
