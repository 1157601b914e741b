package dev.nacosboot.reliability;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One of two providers restarts (stopped, then started again on the same port) while
 * consumers call the service in a loop: with Spring Cloud LoadBalancer's retry no call
 * fails; without it, the failures are printed. The restart is done twice: as a graceful
 * shutdown (deregistered before the web server stops) and as a crash seen from the
 * consumers (the web server stops while the instance is still registered).
 */
class RollingRestartIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	@Test
	void restartOfOneOfTwoProvidersFailsNoCallWithLoadBalancerRetry() throws Exception {
		NacosTarget target = nacos.target();
		String group = target.unique("rolling");
		String service = target.unique("rolled");
		int port = freePort();
		ConfigurableApplicationContext restarted = TestApps.provider(target, group, service, "server.port=" + port);
		try (ConfigurableApplicationContext steady = TestApps.provider(target, group, service);
				ConfigurableApplicationContext withRetry = ReliabilityApps.consumer(target, group,
						"spring.cloud.loadbalancer.retry.enabled=true");
				ConfigurableApplicationContext withoutRetry = ReliabilityApps.consumer(target, group,
						"spring.cloud.loadbalancer.retry.enabled=false")) {
			awaitInstances(withRetry, service, 2);
			awaitInstances(withoutRetry, service, 2);
			try (CallLoop retried = new CallLoop("rolling-retry", () -> ReliabilityApps.ping(withRetry, service));
					CallLoop unretried = new CallLoop("rolling-no-retry",
							() -> ReliabilityApps.ping(withoutRetry, service))) {
				await().atMost(Duration.ofSeconds(20))
					.until(() -> retried.succeeded() > 50 && unretried.succeeded() > 50);
				phases("graceful stop", retried, unretried);
				long stopping = System.nanoTime();
				restarted.close();
				long stopped = System.nanoTime();
				phases("graceful start", retried, unretried);
				restarted = TestApps.provider(target, group, service, "server.port=" + port);
				long started = System.nanoTime();
				phases("after graceful restart", retried, unretried);
				awaitCalls(withRetry, withoutRetry, service, retried, unretried);
				long gracefulFailures = unretried.failed();
				System.out.printf(
						"[figures] rolling restart, graceful (stop %d ms, start %d ms): with retry %d calls,"
								+ " %d failed; without retry %d calls, %d failed %s%n",
						(stopped - stopping) / 1_000_000, (started - stopped) / 1_000_000,
						retried.succeeded() + retried.failed(), retried.failed(),
						unretried.succeeded() + unretried.failed(), gracefulFailures, unretried.failures());
				// The port refuses connections while the instance is still registered, as
				// after a kill.
				phases("crash", retried, unretried);
				((WebServerApplicationContext) restarted).getWebServer().stop();
				long callsBeforeCrash = retried.succeeded();
				await().atMost(Duration.ofSeconds(20))
					.until(() -> retried.succeeded() > callsBeforeCrash + 200 || unretried.failed() > gracefulFailures);
				phases("close after crash", retried, unretried);
				restarted.close();
				phases("start after crash", retried, unretried);
				restarted = TestApps.provider(target, group, service, "server.port=" + port);
				phases("after crash restart", retried, unretried);
				awaitCalls(withRetry, withoutRetry, service, retried, unretried);
				retried.close();
				unretried.close();
				System.out.printf(
						"[figures] rolling restart, crash: with retry %d calls in all, %d failed; without"
								+ " retry %d calls in all, %d failed in the crash %s%n",
						retried.succeeded() + retried.failed(), retried.failed(),
						unretried.succeeded() + unretried.failed(), unretried.failed() - gracefulFailures,
						unretried.failures());
				assertThat(retried.failed()).as("failed calls with retry, first: %s", retried.failures()).isZero();
			}
		}
		finally {
			restarted.close();
		}
	}

	private static void phases(String phase, CallLoop... loops) {
		for (CallLoop loop : loops) {
			loop.phase(phase);
		}
	}

	private static void awaitCalls(ConfigurableApplicationContext withRetry,
			ConfigurableApplicationContext withoutRetry, String service, CallLoop retried, CallLoop unretried) {
		awaitInstances(withRetry, service, 2);
		awaitInstances(withoutRetry, service, 2);
		long before = retried.succeeded();
		long beforeUnretried = unretried.succeeded();
		await().atMost(Duration.ofSeconds(20))
			.until(() -> retried.succeeded() > before + 50 && unretried.succeeded() > beforeUnretried + 50);
	}

	private static void awaitInstances(ConfigurableApplicationContext consumer, String service, int count) {
		DiscoveryClient discovery = consumer.getBean(DiscoveryClient.class);
		await().atMost(Duration.ofSeconds(20)).until(() -> discovery.getInstances(service).size() == count);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
