package dev.nacosboot.loadbalancer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Probes an instance that failed to connect by opening (and at once closing) a TCP
 * connection to its address, on the starter's task scheduler: after the probe interval,
 * then at doubling intervals with jitter up to the longest one, until a connect succeeds
 * or the instance no longer needs probing. It sends no request: a user's call is never
 * the probe.
 */
class TcpConnectProbe implements InstanceStatsRegistry.ConnectProbe {

	private static final Log logger = LogFactory.getLog(TcpConnectProbe.class);

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

	private void run(Probe probe) {
		if (!probe.stillOut().getAsBoolean()) {
			return;
		}
		ServiceInstance instance = probe.instance();
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(instance.getHost(), instance.getPort()),
					(int) Math.max(Math.min(probe.timeoutMillis(), Integer.MAX_VALUE), 1));
		}
		catch (IOException | RuntimeException ex) {
			if (logger.isDebugEnabled()) {
				logger.debug("Probe of " + RequeueAttempt.address(instance) + " of " + instance.getServiceId()
						+ " failed: " + ConnectFailures.reason(ex));
			}
			schedule(probe);
			return;
		}
		probe.connected().run();
	}

	private record Probe(ServiceInstance instance, BooleanSupplier stillOut, Runnable connected,
			BackOffExecution backOff, long timeoutMillis) {

	}

}
