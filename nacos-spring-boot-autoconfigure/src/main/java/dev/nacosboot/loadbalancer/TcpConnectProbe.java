package dev.nacosboot.loadbalancer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Probes an instance that failed to connect by opening (and at once closing) a TCP
 * connection to its address, without blocking, on the starter's task scheduler: after the
 * probe interval, then at doubling intervals with jitter up to the longest one, until a
 * connect succeeds or the instance no longer needs probing. It sends no request: a user's
 * call is never the probe.
 */
class TcpConnectProbe implements InstanceStatsRegistry.ConnectProbe {

	private static final Log logger = LogFactory.getLog(TcpConnectProbe.class);

	private static final long CONNECT_CHECK_MILLIS = 10;

	private final TaskScheduler scheduler;

	private final Supplier<OutlierSettings> settings;

	TcpConnectProbe(TaskScheduler scheduler, Supplier<OutlierSettings> settings) {
		this.scheduler = scheduler;
		this.settings = settings;
	}

	@Override
	public void start(ServiceInstance instance, BooleanSupplier stillOut, Runnable connected) {
		OutlierSettings settings = this.settings.get();
		long initial = Math.max(settings.probeInterval().toMillis(), 1);
		ExponentialBackOff backOff = new ExponentialBackOff(initial, 2);
		backOff.setMaxInterval(Math.max(settings.maxProbeInterval().toMillis(), initial));
		backOff.setJitter(initial / 4);
		schedule(new Probe(instance, stillOut, connected, backOff.start(), settings.probeTimeout().toMillis()));
	}

	private void schedule(Probe probe) {
		long delay = probe.backOff().nextBackOff();
		if (delay == BackOffExecution.STOP) {
			return;
		}
		try {
			this.scheduler.schedule(() -> run(probe), Instant.now().plusMillis(delay));
		}
		catch (RuntimeException ex) {
			// The scheduler is shutting down with the context.
			logger.debug("Could not schedule a probe of " + RequeueAttempt.address(probe.instance()), ex);
		}
	}

	// A non-blocking connect, checked every few milliseconds until it completes or its
	// time-out passes: a probe of an address that drops packets holds no scheduler
	// thread.
	private void run(Probe probe) {
		if (!probe.stillOut().getAsBoolean()) {
			return;
		}
		ServiceInstance instance = probe.instance();
		SocketChannel channel = null;
		try {
			channel = SocketChannel.open();
			channel.configureBlocking(false);
			if (channel.connect(new InetSocketAddress(instance.getHost(), instance.getPort()))) {
				connected(probe, channel);
				return;
			}
			awaitConnect(probe, channel, System.nanoTime() + probe.timeoutMillis() * 1_000_000);
		}
		catch (IOException | RuntimeException ex) {
			failed(probe, channel, ex);
		}
	}

	private void awaitConnect(Probe probe, SocketChannel channel, long deadline) {
		try {
			if (channel.finishConnect()) {
				connected(probe, channel);
			}
			else if (System.nanoTime() - deadline >= 0) {
				failed(probe, channel, new SocketTimeoutException("connect timed out"));
			}
			else {
				this.scheduler.schedule(() -> awaitConnect(probe, channel, deadline),
						Instant.now().plusMillis(CONNECT_CHECK_MILLIS));
			}
		}
		catch (IOException | RuntimeException ex) {
			failed(probe, channel, ex);
		}
	}

	private void connected(Probe probe, SocketChannel channel) {
		closeQuietly(channel);
		probe.connected().run();
	}

	private void failed(Probe probe, @Nullable SocketChannel channel, Exception failure) {
		closeQuietly(channel);
		if (logger.isDebugEnabled()) {
			logger.debug("Probe of " + RequeueAttempt.address(probe.instance()) + " of "
					+ probe.instance().getServiceId() + " failed: " + ConnectFailures.reason(failure));
		}
		schedule(probe);
	}

	private static void closeQuietly(@Nullable SocketChannel channel) {
		if (channel != null) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				// Nothing was sent on it.
			}
		}
	}

	private record Probe(ServiceInstance instance, BooleanSupplier stillOut, Runnable connected,
			BackOffExecution backOff, long timeoutMillis) {

	}

}
