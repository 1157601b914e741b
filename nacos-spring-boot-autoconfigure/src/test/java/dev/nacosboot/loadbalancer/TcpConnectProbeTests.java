package dev.nacosboot.loadbalancer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The TCP probe of an instance that refused connections, against real sockets.
 */
class TcpConnectProbeTests {

	private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

	private final NacosLoadBalancerProperties properties = new NacosLoadBalancerProperties();

	TcpConnectProbeTests() {
		this.scheduler.setPoolSize(1);
		this.scheduler.initialize();
		this.properties.getOutlierDetection().setProbeInterval(Duration.ofMillis(20));
		this.properties.getOutlierDetection().setMaxProbeInterval(Duration.ofMillis(100));
	}

	@AfterEach
	void stop() {
		this.scheduler.shutdown();
	}

	@Test
	void probeShouldReportTheInstanceOnceItAcceptsConnections() throws IOException {
		int port = freePort();
		AtomicInteger connected = new AtomicInteger();
		AtomicInteger probes = new AtomicInteger();
		new TcpConnectProbe(this.scheduler, () -> OutlierSettings.of(this.properties)).start(instance(port), () -> {
			probes.incrementAndGet();
			return connected.get() == 0;
		}, connected::incrementAndGet);
		// Refused: probed again and again, nothing reported.
		await().atMost(Duration.ofSeconds(5)).until(() -> probes.get() >= 3);
		assertThat(connected).hasValue(0);
		try (ServerSocket server = new ServerSocket()) {
			server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
			await().atMost(Duration.ofSeconds(5)).until(() -> connected.get() == 1);
		}
	}

	@Test
	void probeShouldStopWhenTheInstanceNoLongerNeedsIt() throws IOException {
		int port = freePort();
		AtomicBoolean stillOut = new AtomicBoolean(true);
		AtomicInteger checks = new AtomicInteger();
		new TcpConnectProbe(this.scheduler, () -> OutlierSettings.of(this.properties)).start(instance(port), () -> {
			checks.incrementAndGet();
			return stillOut.get();
		}, () -> {
		});
		await().atMost(Duration.ofSeconds(5)).until(() -> checks.get() >= 2);
		stillOut.set(false);
		int seen = checks.get();
		// The next probe looks, sees it is no longer needed and schedules nothing more.
		await().atMost(Duration.ofSeconds(5))
			.until(() -> checks.get() > seen && this.scheduler.getScheduledThreadPoolExecutor().getQueue().isEmpty()
					&& this.scheduler.getScheduledThreadPoolExecutor().getActiveCount() == 0);
	}

	private static ServiceInstance instance(int port) {
		return new DefaultServiceInstance("ghost", "orders", "127.0.0.1", port, false, Map.of());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
