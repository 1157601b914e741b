package dev.nacosboot.testserver;

import java.util.List;
import java.util.Map;
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

	void register(ServerConnection connection) {
		ServerConnection previous = this.connections.put(connection.id(), connection);
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
		ServerConnection connection = (connectionId != null) ? this.connections.remove(connectionId) : null;
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
