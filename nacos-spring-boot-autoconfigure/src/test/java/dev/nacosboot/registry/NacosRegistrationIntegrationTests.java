package dev.nacosboot.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.core.NacosUnavailableException;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A provider application registering itself, seen by another client and by a consumer
 * application's {@link DiscoveryClient}.
 */
class NacosRegistrationIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	static NamingService observer;

	static ConfigurableApplicationContext consumer;

	static String group;

	@BeforeAll
	static void startObserverAndConsumer() throws Exception {
		group = nacos.target().unique("reg");
		observer = NacosFactory.createNamingService(nacos.target().clientProperties());
		consumer = TestApps.consumer(nacos.target(), group);
	}

	@AfterAll
	static void stop() throws Exception {
		consumer.close();
		observer.shutDown();
	}

	private static List<Instance> seenByObserver(String service) throws Exception {
		return observer.getAllInstances(service, group, false);
	}

	private static DiscoveryClient discovery() {
		return consumer.getBean(DiscoveryClient.class);
	}

	@Test
	void registersWithFieldsSeenByAnotherClient() throws Exception {
		String service = nacos.target().unique("fields");
		try (ConfigurableApplicationContext provider = TestApps.provider(nacos.target(), group, service,
				"spring.cloud.nacos.discovery.weight=3", "spring.cloud.nacos.discovery.cluster-name=zone-a",
				"spring.cloud.nacos.discovery.metadata.version=1.2.3",
				"spring.cloud.nacos.discovery.metadata.team=blue")) {
			int port = provider.getBean(NacosRegistration.class).getPort();
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				List<Instance> instances = seenByObserver(service);
				assertThat(instances).hasSize(1);
				Instance instance = instances.get(0);
				assertThat(instance.getIp()).isEqualTo("127.0.0.1");
				assertThat(instance.getPort()).isEqualTo(port);
				assertThat(instance.getWeight()).isEqualTo(3.0);
				assertThat(instance.getClusterName()).isEqualTo("zone-a");
				assertThat(instance.isEnabled()).isTrue();
				assertThat(instance.isEphemeral()).isTrue();
				assertThat(instance.getMetadata()).containsEntry("version", "1.2.3")
					.containsEntry("team", "blue")
					.containsEntry("preserved.register.source", "SPRING_CLOUD")
					.containsEntry("secure", "false");
			});
		}
	}

	@Test
	void discoveryFollowsRegistrationAndShutdownThroughPushes() {
		String service = nacos.target().unique("push");
		assertThat(discovery().getInstances(service)).isEmpty();
		long start = System.nanoTime();
		ConfigurableApplicationContext provider = TestApps.provider(nacos.target(), group, service);
		long started = System.nanoTime();
		int port = provider.getBean(NacosRegistration.class).getPort();
		await().atMost(Duration.ofSeconds(20))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(2))
			.until(() -> discovery().getInstances(service).stream().anyMatch((i) -> i.getPort() == port));
		long seen = System.nanoTime();
		System.out.printf("[figures] provider start %d ms; ready -> consumer getInstances sees it %d ms%n",
				(started - start) / 1_000_000, (seen - started) / 1_000_000);
		ServiceInstance instance = discovery().getInstances(service).get(0);
		assertThat(instance.getUri().toString()).isEqualTo("http://127.0.0.1:" + port);
		long closing = System.nanoTime();
		provider.close();
		long closed = System.nanoTime();
		boolean goneWhenCloseReturned = discovery().getInstances(service).isEmpty();
		await().atMost(Duration.ofSeconds(20))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(2))
			.until(() -> discovery().getInstances(service).isEmpty());
		System.out
			.println("[figures] removal already seen by the consumer when close() returned: " + goneWhenCloseReturned);
		System.out.printf("[figures] provider close %d ms; close -> consumer sees removal %d ms after close returned%n",
				(closed - closing) / 1_000_000, (System.nanoTime() - closed) / 1_000_000);
	}

	@Test
	void readinessStateMakesTheInstanceRoutableOrNot() throws Exception {
		String service = nacos.target().unique("ready");
		try (ConfigurableApplicationContext provider = TestApps.provider(nacos.target(), group, service)) {
			await().atMost(Duration.ofSeconds(20)).until(() -> discovery().getInstances(service).size() == 1);
			AvailabilityChangeEvent.publish(provider, ReadinessState.REFUSING_TRAFFIC);
			await().atMost(Duration.ofSeconds(20)).until(() -> discovery().getInstances(service).isEmpty());
			// Nacos hides disabled instances from every client, not only from this
			// starter's discovery.
			assertThat(seenByObserver(service)).isEmpty();
			AvailabilityChangeEvent.publish(provider, ReadinessState.ACCEPTING_TRAFFIC);
			await().atMost(Duration.ofSeconds(20)).until(() -> discovery().getInstances(service).size() == 1);
		}
	}

	@Test
	void shutdownRemovesTheInstanceBeforeTheWebServerStopsAccepting() throws Exception {
		String service = nacos.target().unique("drain");
		String[] members = nacos.target().serverAddr().split(",");
		// The consumers below are other clients: the removal push reaches them a moment
		// after the provider's own client, longer on a loaded machine, so against one
		// server the provider waits a little more (Spring Cloud Alibaba's property, in
		// milliseconds). Against a cluster there is one consumer per member: those on
		// the other members learn of the removal about 1 s later, and the wait the
		// starter adds for a server list by itself is what this test checks there.
		boolean cluster = members.length > 1;
		List<ConfigurableApplicationContext> memberConsumers = new ArrayList<>();
		if (cluster) {
			for (String member : members) {
				memberConsumers
					.add(TestApps.consumer(nacos.target(), group, "spring.cloud.nacos.server-addr=" + member));
			}
		}
		List<DiscoveryClient> consumers = cluster
				? memberConsumers.stream().map((context) -> context.getBean(DiscoveryClient.class)).toList()
				: List.of(discovery());
		ConfigurableApplicationContext provider = cluster ? TestApps.provider(nacos.target(), group, service) : TestApps
			.provider(nacos.target(), group, service, "spring.cloud.nacos.discovery.graceful-shutdown-wait-time=500");
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicInteger successes = new AtomicInteger();
		AtomicInteger refusedWhileListed = new AtomicInteger();
		Thread loop = new Thread(() -> {
			while (running.get()) {
				for (DiscoveryClient consumer : consumers) {
					callWhileListed(consumer, service, successes, refusedWhileListed);
				}
			}
		}, "request-loop");
		try {
			await().atMost(Duration.ofSeconds(20))
				.until(() -> consumers.stream().allMatch((consumer) -> consumer.getInstances(service).size() == 1));
			loop.start();
			await().atMost(Duration.ofSeconds(20)).until(() -> successes.get() > 20 * consumers.size());
			provider.close();
			await().atMost(Duration.ofSeconds(20))
				.until(() -> consumers.stream().allMatch((consumer) -> consumer.getInstances(service).isEmpty()));
		}
		finally {
			running.set(false);
			if (loop.isAlive()) {
				loop.join();
			}
			provider.close();
			memberConsumers.forEach(ConfigurableApplicationContext::close);
		}
		System.out.println("[figures] request loop during shutdown (" + consumers.size() + " consumer(s)): "
				+ successes.get() + " successful calls, refused while still listed: " + refusedWhileListed.get());
		assertThat(refusedWhileListed).hasValue(0);
	}

	/** One call to the instance a consumer lists, if it lists one. */
	private static void callWhileListed(DiscoveryClient consumer, String service, AtomicInteger successes,
			AtomicInteger refusedWhileListed) {
		List<ServiceInstance> instances = consumer.getInstances(service);
		if (instances.isEmpty()) {
			Thread.onSpinWait();
			return;
		}
		ServiceInstance instance = instances.get(0);
		try {
			HttpURLConnection connection = (HttpURLConnection) instance.getUri()
				.resolve("/ping")
				.toURL()
				.openConnection();
			connection.setRequestProperty("Connection", "close");
			connection.setConnectTimeout(2000);
			connection.setReadTimeout(5000);
			try (InputStream body = connection.getInputStream()) {
				body.readAllBytes();
			}
			successes.incrementAndGet();
		}
		catch (ConnectException ex) {
			if (consumer.getInstances(service).contains(instance)) {
				refusedWhileListed.incrementAndGet();
			}
		}
		catch (IOException ex) {
			// A request cut by the graceful shutdown is not a refused connection.
		}
	}

	@Test
	void serviceRegistryEndpointTakesTheInstanceOutOfServiceAndBack() throws Exception {
		String service = nacos.target().unique("endpoint");
		try (ConfigurableApplicationContext provider = TestApps.provider(nacos.target(), group, service,
				"management.endpoints.web.exposure.include=serviceregistry")) {
			await().atMost(Duration.ofSeconds(20)).until(() -> discovery().getInstances(service).size() == 1);
			URI endpoint = URI.create("http://127.0.0.1:" + provider.getBean(NacosRegistration.class).getPort()
					+ "/actuator/serviceregistry");
			HttpClient http = HttpClient.newHttpClient();
			assertThat(post(http, endpoint, "{\"status\":\"OUT_OF_SERVICE\"}")).isEqualTo(200);
			await().atMost(Duration.ofSeconds(20)).until(() -> discovery().getInstances(service).isEmpty());
			assertThat(http.send(HttpRequest.newBuilder(endpoint).build(), HttpResponse.BodyHandlers.ofString()).body())
				.contains("OUT_OF_SERVICE");
			assertThat(post(http, endpoint, "{\"status\":\"UP\"}")).isEqualTo(200);
			await().atMost(Duration.ofSeconds(20)).until(() -> discovery().getInstances(service).size() == 1);
			assertThat(post(http, endpoint, "{\"status\":\"DOWN-ISH\"}")).isNotEqualTo(200);
		}
	}

	private static int post(HttpClient http, URI uri, String json) throws Exception {
		return http
			.send(HttpRequest.newBuilder(uri)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(json))
				.build(), HttpResponse.BodyHandlers.ofString())
			.statusCode();
	}

	@Test
	void warmupRampsTheRegisteredWeightUpToTheConfiguredWeight() {
		String service = nacos.target().unique("warm");
		try (ConfigurableApplicationContext provider = TestApps.provider(nacos.target(), group, service,
				"spring.cloud.nacos.discovery.weight=10", "spring.cloud.nacos.discovery.warmup=3s",
				"spring.cloud.nacos.discovery.warmup-initial-weight-ratio=0.1")) {
			await().atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> seenByObserver(service).stream().anyMatch((i) -> i.getWeight() < 10));
			await().atMost(Duration.ofSeconds(20))
				.until(() -> seenByObserver(service).stream().anyMatch((i) -> i.getWeight() == 10));
		}
	}

	@Test
	void failFastWithUnreachableServerFailsStartupWithAnExplanation() {
		String service = nacos.target().unique("failfast");
		assertThatExceptionOfType(RuntimeException.class)
			.isThrownBy(() -> TestApps.provider(nacos.target(), group, service,
					"spring.cloud.nacos.server-addr=127.0.0.1:" + unusedPort(),
					"spring.cloud.nacos.discovery.fail-fast=true"))
			.satisfies((ex) -> assertThat(ex).hasRootCauseInstanceOf(NacosException.class)
				.satisfies((e) -> assertThat(causes(e)).anyMatch(NacosUnavailableException.class::isInstance)));
	}

	private static List<Throwable> causes(Throwable ex) {
		List<Throwable> causes = new java.util.ArrayList<>();
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			causes.add(cause);
		}
		return causes;
	}

	static int unusedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
