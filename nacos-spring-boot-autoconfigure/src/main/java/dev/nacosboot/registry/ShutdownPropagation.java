package dev.nacosboot.registry;

import java.time.Duration;

import dev.nacosboot.core.NacosConnectionDetails;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * How long shutdown keeps serving once this application's own naming client no longer
 * lists the instance ({@code spring.cloud.nacos.discovery.graceful-shutdown-wait-time}).
 * <p>
 * A single server pushes the removal to all its subscribers at once, so the own client's
 * view is every subscriber's. In a cluster each client is connected to one member: the
 * member that removed the instance syncs the change to the others after a delay (Nacos's
 * Distro protocol, {@code nacos.core.protocol.distro.data.sync.delayMs}, 1 s by default),
 * and each of them then pushes it with its own push delay, the one the own client has
 * already waited for. A consumer connected to another member therefore still lists the
 * instance about 1 s longer.
 */
final class ShutdownPropagation {

	/** Covers the members' 1 s sync and the scheduling around it. */
	static final Duration CLUSTER_MARGIN = Duration.ofMillis(1500);

	private ShutdownPropagation() {
	}

	/**
	 * The extra wait after the own client saw the removal.
	 * @param configured the configured wait, or {@code null} when not set
	 * @param connection where the naming client connects
	 * @return the configured wait; when not set, {@link #CLUSTER_MARGIN} for a list of
	 * several servers or an endpoint, else none
	 */
	static Duration margin(@Nullable Duration configured, NacosConnectionDetails connection) {
		if (configured != null) {
			return configured;
		}
		return isCluster(connection) ? CLUSTER_MARGIN : Duration.ZERO;
	}

	private static boolean isCluster(NacosConnectionDetails connection) {
		// An endpoint is an address server, which lists a cluster's members; nacos-client
		// follows it even when a server list is given too.
		if (StringUtils.hasText(connection.getEndpoint())) {
			return true;
		}
		// Trimmed, blank entries dropped.
		return StringUtils.tokenizeToStringArray(connection.getServerAddr(), ",").length > 1;
	}

}
