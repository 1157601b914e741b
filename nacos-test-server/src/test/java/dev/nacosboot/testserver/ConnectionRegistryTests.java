package dev.nacosboot.testserver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.alibaba.nacos.api.grpc.auto.Payload;
import com.alibaba.nacos.shaded.io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionRegistryTests {

	private final ConnectionRegistry registry = new ConnectionRegistry();

	@Test
	void setupHandledAfterItsTransportClosedRegistersNothing() {
		// A client that shuts down right after connecting: the transport's termination
		// can be seen before the setup request on the stream is handled.
		RecordingStream stream = new RecordingStream();
		this.registry.transportClosed("c-1");

		this.registry.register(connection("c-1", stream));

		assertThat(this.registry.all()).isEmpty();
		assertThat(stream.completed).isTrue();
	}

	@Test
	void closedTransportRemovesItsConnectionAndTellsTheListeners() {
		List<String> closed = new ArrayList<>();
		this.registry.onClose((connection) -> closed.add(connection.id()));
		this.registry.register(connection("c-2", new RecordingStream()));
		this.registry.register(connection("c-3", new RecordingStream()));

		this.registry.transportClosed("c-2");

		assertThat(this.registry.all()).extracting(ServerConnection::id).containsExactly("c-3");
		assertThat(closed).containsExactly("c-2");
	}

	private static ServerConnection connection(String id, StreamObserver<Payload> stream) {
		return new ServerConnection(id, "127.0.0.1", Map.of("module", "config"), "test", stream);
	}

	private static final class RecordingStream implements StreamObserver<Payload> {

		private volatile boolean completed;

		@Override
		public void onNext(Payload value) {
		}

		@Override
		public void onError(Throwable error) {
		}

		@Override
		public void onCompleted() {
			this.completed = true;
		}

	}

}
