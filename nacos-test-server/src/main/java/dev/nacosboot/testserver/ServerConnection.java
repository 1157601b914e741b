package dev.nacosboot.testserver;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.alibaba.nacos.api.grpc.auto.Payload;
import com.alibaba.nacos.api.remote.request.Request;
import com.alibaba.nacos.api.remote.response.Response;
import com.alibaba.nacos.common.remote.client.grpc.GrpcUtils;
import com.alibaba.nacos.shaded.io.grpc.stub.StreamObserver;

/**
 * One client connection: a gRPC transport that completed its
 * {@code ConnectionSetupRequest} on the bi-directional stream. Ephemeral instances,
 * subscriptions and config listeners are bound to it and die with it.
 */
final class ServerConnection {

	private static final AtomicLong PUSH_IDS = new AtomicLong();

	private final String id;

	private final String clientIp;

	private final Map<String, String> labels;

	private final String clientVersion;

	private final Instant connectedAt = Instant.now();

	private final StreamObserver<Payload> stream;

	private final Map<String, CompletableFuture<Response>> pendingPushes = new ConcurrentHashMap<>();

	private volatile boolean closed;

	ServerConnection(String id, String clientIp, Map<String, String> labels, String clientVersion,
			StreamObserver<Payload> stream) {
		this.id = id;
		this.clientIp = clientIp;
		this.labels = Map.copyOf(labels);
		this.clientVersion = clientVersion;
		this.stream = stream;
	}

	String id() {
		return this.id;
	}

	String clientIp() {
		return this.clientIp;
	}

	Map<String, String> labels() {
		return this.labels;
	}

	String module() {
		return this.labels.getOrDefault("module", "");
	}

	String clientVersion() {
		return this.clientVersion;
	}

	Instant connectedAt() {
		return this.connectedAt;
	}

	boolean isClosed() {
		return this.closed;
	}

	/**
	 * Sends a server request on the stream; the returned future completes with the
	 * client's response.
	 */
	CompletableFuture<Response> push(Request request) {
		String requestId = "push-" + PUSH_IDS.incrementAndGet();
		request.setRequestId(requestId);
		CompletableFuture<Response> reply = new CompletableFuture<>();
		if (this.closed) {
			reply.completeExceptionally(new IllegalStateException("connection " + this.id + " is closed"));
			return reply;
		}
		this.pendingPushes.put(requestId, reply);
		reply.orTimeout(10, TimeUnit.SECONDS).whenComplete((response, ex) -> this.pendingPushes.remove(requestId));
		try {
			send(GrpcUtils.convert(request));
		}
		catch (RuntimeException ex) {
			reply.completeExceptionally(ex);
		}
		return reply;
	}

	/**
	 * Sends without expecting a reply (the client answers {@code SetupAckRequest}
	 * locally).
	 */
	void sendOneWay(Request request) {
		request.setRequestId("push-" + PUSH_IDS.incrementAndGet());
		send(GrpcUtils.convert(request));
	}

	void onResponse(Response response) {
		CompletableFuture<Response> reply = this.pendingPushes.remove(response.getRequestId());
		if (reply != null) {
			reply.complete(response);
		}
	}

	private void send(Payload payload) {
		// gRPC stream observers are not thread-safe: pushes from several threads must not
		// interleave.
		synchronized (this.stream) {
			this.stream.onNext(payload);
		}
	}

	void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.pendingPushes.values().forEach((reply) -> reply.cancel(false));
		this.pendingPushes.clear();
		synchronized (this.stream) {
			try {
				this.stream.onCompleted();
			}
			catch (RuntimeException ex) {
				// the transport is already gone
			}
		}
	}

}
