package dev.nacosboot.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import com.alibaba.nacos.api.naming.pojo.Instance;
import com.sun.net.httpserver.HttpServer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

/**
 * An instance registered -> the first call a {@code @LoadBalanced RestClient} routes to
 * it, and deregistered -> the call after the last one routed to it, under a steady call
 * loop (a call about every 0.5 ms), against register / deregister -> the raw
 * {@code NamingService.subscribe} callback of another client in the same JVM.
 * <p>
 * Two real HTTP providers: A (weight 1) stays, B (weight 1000) comes and goes, so that a
 * visible B takes nearly every call and the moment routing changes is sharp.
 */
final class DiscoveryPushScenario implements Scenario {

	private static final String SERVICE = "bench-provider";

	private static final String PROVIDER_HEADER = "X-Provider";

	private static final int WARMUP = 3;

	@Override
	public String name() {
		return "discovery-push";
	}

	@Override
	public String description() {
		return "register/deregister -> routing change of a @LoadBalanced RestClient under a call loop vs raw subscribe callback";
	}

	@Override
	public String run(Options options, PrintStream out) throws Exception {
		int cycles = options.count("cycles", 25);
		String group = "BENCH_PUSH_" + System.currentTimeMillis();
		HttpServer a = provider("A");
		HttpServer b = provider("B");
		try (NacosTarget target = NacosTarget.start(options.integer("push-delay", 0))) {
			// One client per provider: a client holds one instance per service (Nacos
			// 2+), so registering B
			// through A's client would replace A, and removing B would leave the service
			// empty.
			NamingService providerA = target.namingService();
			NamingService providers = target.namingService();
			NamingService raw = target.namingService();
			ConfigurableApplicationContext app = null;
			CallLoop loop = null;
			try {
				providerA.registerInstance(SERVICE, group, instance(a, 1));
				Instance instanceB = instance(b, 1000);
				long[] rawChange = new long[2];
				raw.subscribe(SERVICE, group, (event) -> {
					if (event instanceof NamingEvent naming) {
						long now = System.nanoTime();
						boolean hasB = naming.getInstances()
							.stream()
							.anyMatch((i) -> i.getPort() == instanceB.getPort());
						synchronized (rawChange) {
							rawChange[hasB ? 0 : 1] = now;
						}
					}
				});
				Map<String, Object> properties = Apps.common(target);
				properties.put("spring.application.name", "bench-consumer");
				properties.put("spring.cloud.nacos.discovery.group", group);
				properties.put("spring.cloud.nacos.discovery.register-enabled", "false");
				properties.put("spring.cloud.nacos.config.enabled", "false");
				app = Apps.start(ConsumerApp.class, WebApplicationType.NONE, properties);
				RestClient client = app.getBean(RestClient.Builder.class).build();
				ConsumerApp consumer = app.getBean(ConsumerApp.class);
				loop = new CallLoop(client);
				loop.start();
				loop.waitForCalls(100);

				List<Double> rawAdd = new ArrayList<>();
				List<Double> rawRemove = new ArrayList<>();
				List<Double> appAdd = new ArrayList<>();
				List<Double> appRemove = new ArrayList<>();
				List<Double> overAdd = new ArrayList<>();
				List<Double> overRemove = new ArrayList<>();
				List<Double> viewAdd = new ArrayList<>();
				List<Double> viewRemove = new ArrayList<>();
				int missed = 0;
				for (int cycle = 0; cycle < WARMUP + cycles; cycle++) {
					synchronized (rawChange) {
						rawChange[0] = 0;
						rawChange[1] = 0;
					}
					long registered = System.nanoTime();
					providers.registerInstance(SERVICE, group, instanceB);
					long firstB = loop.awaitFirst('B', registered, TimeUnit.SECONDS.toNanos(10));
					long rawAt = awaitRaw(rawChange, 0);
					// Let the calls settle on B, then take it away.
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(150));
					long deregistered = System.nanoTime();
					providers.deregisterInstance(SERVICE, group, instanceB);
					long rawGoneAt = awaitRaw(rawChange, 1);
					long switched = loop.awaitSwitchAway('B', deregistered, TimeUnit.SECONDS.toNanos(10));
					long viewAddAt = consumer.firstChangeAfter(registered);
					long viewGoneAt = consumer.firstChangeAfter(deregistered);
					if (firstB < 0 || switched < 0 || rawAt == 0 || rawGoneAt == 0 || viewAddAt < 0 || viewGoneAt < 0) {
						missed++;
					}
					else if (cycle >= WARMUP) {
						rawAdd.add(ConfigRefreshScenario.ms(rawAt - registered));
						appAdd.add(ConfigRefreshScenario.ms(firstB - registered));
						overAdd.add(ConfigRefreshScenario.ms(firstB - rawAt));
						rawRemove.add(ConfigRefreshScenario.ms(rawGoneAt - deregistered));
						appRemove.add(ConfigRefreshScenario.ms(switched - deregistered));
						overRemove.add(ConfigRefreshScenario.ms(switched - rawGoneAt));
						viewAdd.add(ConfigRefreshScenario.ms(viewAddAt - registered));
						viewRemove.add(ConfigRefreshScenario.ms(viewGoneAt - deregistered));
					}
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(150));
				}
				double callsPerSecond = loop.callsPerSecond();
				out.println("Server: " + target.describe() + "; " + cycles + " register+deregister cycles (after "
						+ WARMUP + " warm-up ones); call loop at " + Math.round(callsPerSecond) + " calls/s; missed: "
						+ missed + "; failed calls: " + loop.failed + " of " + loop.count + ".");
				out.println();
				Table latency = new Table("change -> seen (ms)", "n", "p50", "p99", "max");
				latency.stats("register -> raw subscribe callback (reference)", Stats.of(rawAdd));
				latency.stats("register -> starter's view changed (HeartbeatEvent)", Stats.of(viewAdd));
				latency.stats("register -> first call routed to it", Stats.of(appAdd));
				latency.stats("deregister -> raw subscribe callback (reference)", Stats.of(rawRemove));
				latency.stats("deregister -> starter's view changed (HeartbeatEvent)", Stats.of(viewRemove));
				latency.stats("deregister -> calls stop reaching it", Stats.of(appRemove));
				latency.print(out);
				Table overhead = new Table("overhead over the raw callback, per change (ms)", "n", "p50", "p99", "max");
				Stats add = Stats.of(overAdd);
				Stats remove = Stats.of(overRemove);
				overhead.stats("new instance", add);
				overhead.stats("removed instance", remove);
				overhead.print(out);
				double worstP99 = Math.max(add.p99(), remove.p99());
				out.println("Target: p99 overhead <= 50 ms -> " + ConfigRefreshScenario.verdict(worstP99 <= 50)
						+ ". The overhead includes up to one call period (" + Stats.format(1000 / callsPerSecond)
						+ " ms) of sampling.");
				out.println();
				Stats reference = Stats.of(rawRemove);
				Stats measured = Stats.of(appRemove);
				return String.format(
						"discovery-push: %s ms p50 deregister->no more calls, overhead p99 +%s ms "
								+ "(raw subscribe callback %s ms, ratio %s); register: %s ms p50, overhead p99 +%s ms",
						Stats.format(measured.p50()), Stats.format(worstP99), Stats.format(reference.p50()),
						Stats.format(measured.p50() / reference.p50()), Stats.format(Stats.of(appAdd).p50()),
						Stats.format(add.p99()));
			}
			finally {
				if (loop != null) {
					loop.interrupt();
					loop.join(5000);
				}
				if (app != null) {
					app.close();
				}
				raw.shutDown();
				providers.shutDown();
				providerA.shutDown();
			}
		}
		finally {
			a.stop(0);
			b.stop(0);
		}
	}

	private static long awaitRaw(long[] change, int index) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() < deadline) {
			synchronized (change) {
				if (change[index] != 0) {
					return change[index];
				}
			}
			LockSupport.parkNanos(500_000);
		}
		return 0;
	}

	private static Instance instance(HttpServer server, double weight) {
		Instance instance = new Instance();
		instance.setIp("127.0.0.1");
		instance.setPort(server.getAddress().getPort());
		instance.setWeight(weight);
		instance.setEphemeral(true);
		return instance;
	}

	// Answers with a header and no body: the JDK server writes a body apart from the
	// headers, and with Nagle's
	// algorithm that second small write can wait ~40 ms for the client's delayed ACK,
	// stalling the call loop.
	private static HttpServer provider(String name) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
		server.createContext("/who", (exchange) -> {
			exchange.getResponseHeaders().set(PROVIDER_HEADER, name);
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		server.start();
		return server;
	}

	/**
	 * Calls the service in a loop, recording when each call started and which provider
	 * answered.
	 */
	private static final class CallLoop extends Thread {

		private static final int CAPACITY = 4_000_000;

		private final RestClient client;

		private final long[] starts = new long[CAPACITY];

		private final char[] answers = new char[CAPACITY];

		private volatile int count;

		private volatile int failed;

		private volatile long began;

		CallLoop(RestClient client) {
			super("bench-call-loop");
			setDaemon(true);
			this.client = client;
		}

		@Override
		public void run() {
			this.began = System.nanoTime();
			while (!isInterrupted() && this.count < CAPACITY) {
				long start = System.nanoTime();
				char answer;
				try {
					String name = this.client.get()
						.uri("http://" + SERVICE + "/who")
						.retrieve()
						.toBodilessEntity()
						.getHeaders()
						.getFirst(PROVIDER_HEADER);
					answer = (name != null && !name.isEmpty()) ? name.charAt(0) : '?';
				}
				catch (RuntimeException ex) {
					answer = '!';
					this.failed++;
				}
				int index = this.count;
				this.starts[index] = start;
				this.answers[index] = answer;
				this.count = index + 1;
				LockSupport.parkNanos(500_000);
			}
		}

		double callsPerSecond() {
			return this.count / ((System.nanoTime() - this.began) / 1e9);
		}

		void waitForCalls(int calls) {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (this.count < calls && System.nanoTime() < deadline) {
				LockSupport.parkNanos(1_000_000);
			}
		}

		/**
		 * Start time of the first call after {@code since} answered by {@code provider},
		 * or -1.
		 */
		long awaitFirst(char provider, long since, long timeoutNanos) {
			long deadline = since + timeoutNanos;
			int scanned = indexAfter(since);
			while (System.nanoTime() < deadline) {
				int count = this.count;
				for (int i = scanned; i < count; i++) {
					if (this.answers[i] == provider) {
						return this.starts[i];
					}
				}
				scanned = count;
				LockSupport.parkNanos(500_000);
			}
			return -1;
		}

		/**
		 * Start time of the first call after the last one (since {@code since}) answered
		 * by {@code provider}, once 20 calls in a row went elsewhere; -1 on timeout.
		 */
		long awaitSwitchAway(char provider, long since, long timeoutNanos) {
			long deadline = since + timeoutNanos;
			while (System.nanoTime() < deadline) {
				int count = this.count;
				int from = indexAfter(since);
				int lastHit = -1;
				for (int i = from; i < count; i++) {
					if (this.answers[i] == provider) {
						lastHit = i;
					}
				}
				int switchIndex = (lastHit < 0) ? from : lastHit + 1;
				if (count - switchIndex >= 20) {
					return Math.max(this.starts[switchIndex], since);
				}
				LockSupport.parkNanos(1_000_000);
			}
			return -1;
		}

		private int indexAfter(long since) {
			int count = this.count;
			int i = count;
			while (i > 0 && this.starts[i - 1] >= since) {
				i--;
			}
			return i;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ConsumerApp implements ApplicationListener<HeartbeatEvent> {

		/**
		 * When the starter's instance view announced a change: splits push handling from
		 * routing.
		 */
		final List<Long> changes = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(HeartbeatEvent event) {
			this.changes.add(System.nanoTime());
		}

		long firstChangeAfter(long since) {
			for (long change : this.changes) {
				if (change >= since) {
					return change;
				}
			}
			return -1;
		}

		@Bean
		@LoadBalanced
		RestClient.Builder restClientBuilder() {
			return RestClient.builder();
		}

	}

}
