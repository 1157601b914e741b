package dev.nacosboot.discovery;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.function.BooleanSupplier;

import com.alibaba.nacos.api.naming.NamingService;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Whether a naming client holds a live gRPC connection, read from the client's own state.
 * {@code
 * NamingService.getServerStatus()} is not enough for frequent checks: when the gRPC
 * connection is down it falls back to an HTTP request to the server, which costs a round
 * trip and logs an error on every call during an outage. The gRPC flag is reached through
 * the client's internals (pinned client version, covered by tests); if they change, this
 * falls back to {@code getServerStatus()}.
 */
public final class NamingConnectionState {

	private static final Log logger = LogFactory.getLog(NamingConnectionState.class);

	private NamingConnectionState() {
	}

	/**
	 * A cheap check of the client's connection.
	 * @param namingService the client
	 * @return a supplier answering whether it is connected
	 */
	public static BooleanSupplier of(NamingService namingService) {
		try {
			Object delegate = field(namingService, "clientProxy");
			Object grpcProxy = field(delegate, "grpcClientProxy");
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
			field(field(namingService, "clientProxy"), "grpcClientProxy").getClass().getMethod("serverHealthy");
			return true;
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			return false;
		}
	}

	private static Object field(Object target, String name) throws ReflectiveOperationException {
		Field field = target.getClass().getDeclaredField(name);
		field.setAccessible(true);
		Object value = field.get(target);
		if (value == null) {
			throw new NoSuchFieldException(name + " is null");
		}
		return value;
	}

}
