package dev.nacosboot.discovery;

import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.core.NacosClientInternals;
import dev.nacosboot.core.NacosConnectionState;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.scheduling.TaskScheduler;

/**
 * The connection of the context's naming client, sampled every 100 ms while the context
 * runs: the one record of it, which the instance view (to recognise answers right after a
 * reconnect), the service-list view and the health indicators read.
 * <p>
 * It reads the client's own gRPC flag. {@code NamingService.getServerStatus()} is not
 * enough for frequent checks: when the gRPC connection is down it falls back to an HTTP
 * request to the server, which costs a round trip and logs an error on every call during
 * an outage. The flag is reached through the client's internals (pinned client version,
 * covered by tests); if they change, this falls back to {@code getServerStatus()}.
 */
public class NamingConnectionState extends NacosConnectionState {

	private static final Log logger = LogFactory.getLog(NamingConnectionState.class);

	/** How often the flag is sampled: a local read, so often costs nothing. */
	static final Duration SAMPLE_INTERVAL = Duration.ofMillis(100);

	/**
	 * Follows the connection of a naming client.
	 * @param namingService the client
	 * @param scheduler samples the connection while the context runs
	 */
	public NamingConnectionState(NamingService namingService, TaskScheduler scheduler) {
		super(of(namingService), Clock.systemUTC(), scheduler, SAMPLE_INTERVAL);
	}

	/**
	 * Follows the connection of a naming client that may not exist yet: not connected
	 * (connecting) until it is created.
	 * @param client the client's holder, never asked to create it
	 * @param scheduler samples the connection while the context runs
	 */
	public NamingConnectionState(NacosNamingClient client, TaskScheduler scheduler) {
		super(onceCreated(client), Clock.systemUTC(), scheduler, SAMPLE_INTERVAL);
	}

	private static BooleanSupplier onceCreated(NacosNamingClient client) {
		AtomicReference<BooleanSupplier> reader = new AtomicReference<>();
		return () -> {
			BooleanSupplier connected = reader.get();
			if (connected == null) {
				NamingService created = client.getIfCreated();
				if (created == null) {
					return false;
				}
				connected = of(created);
				reader.set(connected);
			}
			return connected.getAsBoolean();
		};
	}

	/**
	 * A cheap check of the client's connection.
	 * @param namingService the client
	 * @return a supplier answering whether it is connected
	 */
	public static BooleanSupplier of(NamingService namingService) {
		try {
			Object delegate = NacosClientInternals.field(namingService, "clientProxy");
			Object grpcProxy = NacosClientInternals.field(delegate, "grpcClientProxy");
			Method serverHealthy = grpcProxy.getClass().getMethod("serverHealthy");
			return () -> {
				try {
					return (boolean) serverHealthy.invoke(grpcProxy);
				}
				catch (ReflectiveOperationException ex) {
					return "UP".equals(namingService.getServerStatus());
				}
			};
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.debug("Reading the naming client's connection through getServerStatus(): " + ex);
			return () -> "UP".equals(namingService.getServerStatus());
		}
	}

	/**
	 * Whether the client's gRPC flag can be read (rather than falling back to
	 * {@code getServerStatus()}).
	 */
	static boolean readsClientState(NamingService namingService) {
		try {
			NacosClientInternals.field(NacosClientInternals.field(namingService, "clientProxy"), "grpcClientProxy")
				.getClass()
				.getMethod("serverHealthy");
			return true;
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			return false;
		}
	}

}
