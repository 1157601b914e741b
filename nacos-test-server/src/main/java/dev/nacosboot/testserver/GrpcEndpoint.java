package dev.nacosboot.testserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.grpc.auto.BiRequestStreamGrpc;
import com.alibaba.nacos.api.grpc.auto.Payload;
import com.alibaba.nacos.api.grpc.auto.RequestGrpc;
import com.alibaba.nacos.api.remote.request.ConnectionSetupRequest;
import com.alibaba.nacos.api.remote.request.Request;
import com.alibaba.nacos.api.remote.request.ServerCheckRequest;
import com.alibaba.nacos.api.remote.request.SetupAckRequest;
import com.alibaba.nacos.api.remote.response.ErrorResponse;
import com.alibaba.nacos.api.remote.response.Response;
import com.alibaba.nacos.api.remote.response.ServerCheckResponse;
import com.alibaba.nacos.common.remote.PayloadRegistry;
import com.alibaba.nacos.common.remote.client.grpc.GrpcUtils;
import com.alibaba.nacos.shaded.io.grpc.Attributes;
import com.alibaba.nacos.shaded.io.grpc.Context;
import com.alibaba.nacos.shaded.io.grpc.Contexts;
import com.alibaba.nacos.shaded.io.grpc.Grpc;
import com.alibaba.nacos.shaded.io.grpc.Metadata;
import com.alibaba.nacos.shaded.io.grpc.Server;
import com.alibaba.nacos.shaded.io.grpc.ServerCall;
import com.alibaba.nacos.shaded.io.grpc.ServerCallHandler;
import com.alibaba.nacos.shaded.io.grpc.ServerInterceptor;
import com.alibaba.nacos.shaded.io.grpc.ServerInterceptors;
import com.alibaba.nacos.shaded.io.grpc.ServerTransportFilter;
import com.alibaba.nacos.shaded.io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import com.alibaba.nacos.shaded.io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC side of the server, on main port + 1000: the unary {@code Request/request}
 * service and the bi-directional {@code BiRequestStream/requestBiStream}. Each transport
 * gets a connection id when it is ready; requests are routed by the type name in the
 * payload metadata, as the client names them.
 */
final class GrpcEndpoint {

	private static final Logger logger = LoggerFactory.getLogger(GrpcEndpoint.class);

	private static final Attributes.Key<String> TRANSPORT_CONNECTION_ID = Attributes.Key.create("nacos.connection.id");

	private static final Context.Key<String> CONNECTION_ID = Context.key("nacos.connection.id");

	private static final Context.Key<String> REMOTE_IP = Context.key("nacos.remote.ip");

	private static final AtomicInteger TRANSPORT_SEQUENCE = new AtomicInteger();

	static {
		PayloadRegistry.init();
	}

	private final ConnectionRegistry connections;

	private final RequestRouter router;

	private final Function<Map<String, String>, Map<String, Boolean>> abilities;

	private final Tls tls;

	private Server server;

	private ExecutorService executor;

	GrpcEndpoint(ConnectionRegistry connections, RequestRouter router,
			Function<Map<String, String>, Map<String, Boolean>> abilities, Tls tls) {
		this.connections = connections;
		this.router = router;
		this.abilities = abilities;
		this.tls = tls;
	}

	void start(String host, int port) throws IOException {
		this.executor = Executors.newCachedThreadPool(daemonThreads("nacos-test-server-grpc-"));
		ServerInterceptor connectionContext = new ConnectionContextInterceptor();
		// Reuse the address so that a restart can bind the same port while the old socket
		// is still closing.
		NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
			.withOption(com.alibaba.nacos.shaded.io.grpc.netty.shaded.io.netty.channel.ChannelOption.SO_REUSEADDR,
					true);
		if (this.tls != null) {
			builder.useTransportSecurity(this.tls.certificateChain().toFile(), this.tls.privateKey().toFile());
		}
		this.server = builder.executor(this.executor)
			.maxInboundMessageSize(10 * 1024 * 1024)
			.permitKeepAliveTime(1, TimeUnit.SECONDS)
			.permitKeepAliveWithoutCalls(true)
			.addTransportFilter(new ConnectionIdFilter())
			.addService(ServerInterceptors.intercept(new UnaryService(), connectionContext))
			.addService(ServerInterceptors.intercept(new StreamService(), connectionContext))
			.build()
			.start();
	}

	void stop() {
		Server running = this.server;
		if (running == null) {
			return;
		}
		this.server = null;
		running.shutdownNow();
		try {
			running.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.executor.shutdownNow();
	}

	static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	private final class ConnectionIdFilter extends ServerTransportFilter {

		@Override
		public Attributes transportReady(Attributes attributes) {
			SocketAddress remote = attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
			String id = System.currentTimeMillis() + "_" + hostOf(remote) + "_" + portOf(remote) + "_"
					+ TRANSPORT_SEQUENCE.incrementAndGet();
			return attributes.toBuilder().set(TRANSPORT_CONNECTION_ID, id).build();
		}

		@Override
		public void transportTerminated(Attributes attributes) {
			GrpcEndpoint.this.connections.transportClosed(attributes.get(TRANSPORT_CONNECTION_ID));
		}

	}

	private static final class ConnectionContextInterceptor implements ServerInterceptor {

		@Override
		public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
				ServerCallHandler<Q, R> next) {
			Attributes attributes = call.getAttributes();
			Context context = Context.current()
				.withValue(CONNECTION_ID, attributes.get(TRANSPORT_CONNECTION_ID))
				.withValue(REMOTE_IP, hostOf(attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
			return Contexts.interceptCall(context, call, headers, next);
		}

	}

	private final class UnaryService extends RequestGrpc.RequestImplBase {

		@Override
		public void request(Payload payload, StreamObserver<Payload> replies) {
			replies.onNext(GrpcUtils.convert(handle(payload)));
			replies.onCompleted();
		}

		private Response handle(Payload payload) {
			String type = payload.getMetadata().getType();
			String connectionId = CONNECTION_ID.get();
			if (ServerCheckRequest.class.getSimpleName().equals(type)) {
				return new ServerCheckResponse(connectionId, true);
			}
			if (!GrpcEndpoint.this.router.handles(type)) {
				return ErrorResponse.build(NacosException.NO_HANDLER, "RequestHandler Not Found");
			}
			ServerConnection connection = GrpcEndpoint.this.connections.get(connectionId);
			if (connection == null) {
				return ErrorResponse.build(NacosException.UN_REGISTER, "Connection is unregistered.");
			}
			Request request;
			try {
				request = (Request) GrpcUtils.parse(payload);
			}
			catch (RuntimeException ex) {
				return ErrorResponse.build(NacosException.BAD_GATEWAY, ex.getMessage());
			}
			Response response = GrpcEndpoint.this.router.route(request, connection);
			response.setRequestId(request.getRequestId());
			return response;
		}

	}

	private final class StreamService extends BiRequestStreamGrpc.BiRequestStreamImplBase {

		@Override
		public StreamObserver<Payload> requestBiStream(StreamObserver<Payload> replies) {
			String connectionId = CONNECTION_ID.get();
			String remoteIp = REMOTE_IP.get();
			return new StreamObserver<>() {

				@Override
				public void onNext(Payload payload) {
					Object message;
					try {
						message = GrpcUtils.parse(payload);
					}
					catch (RuntimeException ex) {
						logger.debug("Ignoring unparseable stream message on {}", connectionId, ex);
						return;
					}
					if (message instanceof ConnectionSetupRequest setup) {
						setUp(connectionId, remoteIp, setup, replies);
					}
					else if (message instanceof Response response) {
						ServerConnection connection = GrpcEndpoint.this.connections.get(connectionId);
						if (connection != null) {
							connection.onResponse(response);
						}
					}
				}

				@Override
				public void onError(Throwable error) {
					complete();
				}

				@Override
				public void onCompleted() {
					complete();
				}

				private void complete() {
					synchronized (replies) {
						try {
							replies.onCompleted();
						}
						catch (RuntimeException ex) {
							// already cancelled by the client
						}
					}
				}

			};
		}

		private void setUp(String connectionId, String remoteIp, ConnectionSetupRequest setup,
				StreamObserver<Payload> replies) {
			ServerConnection connection = new ServerConnection(connectionId, remoteIp, setup.getLabels(),
					setup.getClientVersion(), replies);
			GrpcEndpoint.this.connections.register(connection);
			connection.sendOneWay(new SetupAckRequest(GrpcEndpoint.this.abilities.apply(setup.getLabels())));
			logger.debug("Connection {} set up by {} ({})", connectionId, remoteIp, setup.getLabels());
		}

	}

	/**
	 * PEM files of the server's certificate chain and its PKCS#8 private key.
	 *
	 * @param certificateChain the certificate chain
	 * @param privateKey the private key
	 */
	record Tls(java.nio.file.Path certificateChain, java.nio.file.Path privateKey) {
	}

	private static String hostOf(SocketAddress address) {
		return (address instanceof InetSocketAddress inet) ? inet.getAddress().getHostAddress() : "unknown";
	}

	private static int portOf(SocketAddress address) {
		return (address instanceof InetSocketAddress inet) ? inet.getPort() : 0;
	}

}
