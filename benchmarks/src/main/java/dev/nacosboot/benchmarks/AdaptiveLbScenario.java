package dev.nacosboot.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.nacosboot.discovery.NacosInstanceView;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClient;
import org.springframework.cloud.loadbalancer.core.ReactorLoadBalancer;
import org.springframework.cloud.loadbalancer.core.RoundRobinLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * Three real HTTP providers, one of them answering 50 ms later (without holding a
 * thread), registered in the server of the run (the embedded one unless
 * {@code NACOS_SERVER_ADDR} is set) and called through a {@code @LoadBalanced RestClient}
 * by the {@code weighted} and {@code least-latency} strategies of the starter's balancer
 * and by Spring Cloud's {@link RoundRobinLoadBalancer} (the reference), each over its own
 * Nacos service that lists the same three instances. Latency reaches the balancer as it
 * does in an application: through the lifecycle callbacks of the blocking client.
 * <p>
 * The three strategies run at the same time, at the same rate and with the same number of
 * calls, so that the noise of a shared machine falls on all three alike. Calls follow a
 * schedule rather than a closed loop: a closed loop would let least-latency finish its
 * calls in a fraction of round-robin's time, and fewer of its probes of the slow instance
 * (one every few decay times) would fall into the measured window. The JVM warms up on a
 * service of its own: least-latency's moving average takes a slow call at once and
 * forgets it only over its decay time, so the warm-up's slow calls would otherwise be
 * measured against it.
 */
final class AdaptiveLbScenario implements Scenario {

	private static final long SLOW_MILLIS = 50;

	/**
	 * Delay of a fast provider's late answer ({@code --spikes}): below the slow one's,
	 * above its usual answer.
	 */
	private static final long SPIKE_MILLIS = 30;

	/** Calls per second of each strategy, whatever the number of callers. */
	private static final int RATE = 200;

	private static final int WARMUP_SECONDS = 5;

	private static final int LEARN_SECONDS = 2;

	/**
	 * A service of its own for the warm-up, so that the JVM's early slow calls stay out
	 * of measured statistics.
	 */
	private static final String WARMUP_SERVICE = "adaptive-lb-warm-up";

	private static final char SLOW = 'S';

	private static final String PROVIDER_HEADER = "X-Provider";

	@Override
	public String name() {
		return "adaptive-lb";
	}

	@Override
	public String description() {
		return "3 HTTP providers registered in Nacos, one 50 ms slower: p50/p99 and share of calls on the slow one, "
				+ "weighted and least-latency vs RoundRobinLoadBalancer";
	}

	@Override
	public String run(Options options, PrintStream out) throws Exception {
		int callers = options.integer("callers", 8);
		int calls = options.count("calls", 6000) / callers * callers;
		int warmup = WARMUP_SECONDS * RATE / callers;
		int learn = LEARN_SECONDS * RATE / callers;
		String group = "BENCH_ADAPTIVE_" + System.currentTimeMillis();
		ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "bench-slow-provider");
			thread.setDaemon(true);
			return thread;
		});
		int spikes = options.integer("spikes", 0);
		List<HttpServer> providers = List.of(provider('A', 0, spikes, delays), provider('B', 0, spikes, delays),
				provider(SLOW, SLOW_MILLIS, 0, delays));
		try (NacosTarget target = NacosTarget.start(options.integer("push-delay", 0))) {
			// A naming client holds one instance per service, as a provider application
			// does: one client each.
			List<NamingService> registrars = new ArrayList<>();
			ConfigurableApplicationContext app = null;
			try {
				for (HttpServer provider : providers) {
					NamingService registrar = target.namingService();
					registrars.add(registrar);
					registrar.registerInstance(WARMUP_SERVICE, group, instance(provider));
					for (Strategy strategy : Strategy.values()) {
						registrar.registerInstance(strategy.service, group, instance(provider));
					}
				}
				Map<String, Object> properties = Apps.common(target);
				properties.put("spring.application.name", "bench-adaptive-consumer");
				properties.put("spring.cloud.nacos.discovery.group", group);
				properties.put("spring.cloud.nacos.discovery.register-enabled", "false");
				properties.put("spring.cloud.nacos.config.enabled", "false");
				for (Strategy strategy : Strategy.values()) {
					if (strategy.property != null) {
						properties.put("spring.cloud.nacos.loadbalancer.services." + strategy.service + ".strategy",
								strategy.property);
					}
				}
				int decaySeconds = options.integer("decay-time", 0);
				if (decaySeconds > 0) {
					properties.put("spring.cloud.nacos.loadbalancer.least-latency.decay-time", decaySeconds + "s");
				}
				app = Apps.start(ConsumerApp.class, WebApplicationType.NONE, properties);
				awaitInstances(app.getBean(NacosInstanceView.class));
				Map<Strategy, Result> results = measure(app.getBean(RestClient.Builder.class), callers, warmup, learn,
						calls / callers);
				out.println("Server: " + target.describe() + "; instances registered there, 3 JDK HttpServers on "
						+ "127.0.0.1, one answering " + SLOW_MILLIS + " ms later"
						+ ((spikes > 0) ? ", the others " + SPIKE_MILLIS + " ms late on " + spikes + " % of calls" : "")
						+ ". Per strategy " + RATE + " calls/s on a fixed schedule (" + callers
						+ " callers; a late call starts at once), " + WARMUP_SECONDS
						+ " s of JVM warm-up on another service, " + LEARN_SECONDS
						+ " s on the strategy's own service, then " + calls
						+ " measured calls; the three strategies at the same time; least-latency decay time "
						+ ((decaySeconds > 0) ? decaySeconds + " s" : "10 s (default)") + ".");
				out.println();
				Table table = new Table("strategy", "calls", "p50 ms", "p99 ms", "max ms", "mean ms",
						"% on slow instance", "calls/s", "errors");
				for (Strategy strategy : Strategy.values()) {
					Result result = results.get(strategy);
					Stats stats = result.stats();
					table.row(strategy.label, stats.count(), stats.p50(), stats.p99(), stats.max(), result.mean(),
							result.slowPercent(), result.callsPerSecond(), result.errors);
				}
				table.print(out);
				Result reference = results.get(Strategy.ROUND_ROBIN);
				Result leastLatency = results.get(Strategy.LEAST_LATENCY);
				Result weighted = results.get(Strategy.WEIGHTED);
				double ratio = leastLatency.stats().p99() / reference.stats().p99();
				boolean met = ratio <= 0.5 && leastLatency.slowPercent() <= 10 && leastLatency.errors == 0;
				out.println("Target: least-latency p99 at least 2x lower than RoundRobin's and <= 10 % of calls on "
						+ "the slow instance -> " + ConfigRefreshScenario.verdict(met) + " (p99 ratio "
						+ Stats.format(ratio) + ", " + Stats.format(leastLatency.slowPercent())
						+ " % on the slow instance).");
				out.println();
				return String.format("adaptive-lb: %s ms p99 with least-latency, %s %% of calls on the slow "
						+ "instance (RoundRobinLoadBalancer %s ms p99, %s %%, ratio %s); weighted %s ms p99, %s %%",
						Stats.format(leastLatency.stats().p99()), Stats.format(leastLatency.slowPercent()),
						Stats.format(reference.stats().p99()), Stats.format(reference.slowPercent()),
						Stats.format(ratio), Stats.format(weighted.stats().p99()),
						Stats.format(weighted.slowPercent()));
			}
			finally {
				if (app != null) {
					app.close();
				}
				for (NamingService registrar : registrars) {
					registrar.shutDown();
				}
			}
		}
		finally {
			providers.forEach((provider) -> provider.stop(0));
			delays.shutdownNow();
		}
	}

	private static void awaitInstances(NacosInstanceView view) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		List<String> services = new ArrayList<>(List.of(WARMUP_SERVICE));
		Arrays.stream(Strategy.values()).forEach((strategy) -> services.add(strategy.service));
		for (String service : services) {
			while (view.getInstances(service).size() < 3) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("The consumer never saw the providers of " + service);
				}
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
			}
		}
	}

	/**
	 * Runs every strategy's callers together: warm-up calls, learning calls, then
	 * measured ones.
	 */
	private static Map<Strategy, Result> measure(RestClient.Builder builder, int callers, int warmup, int learn,
			int callsPerCaller) throws InterruptedException {
		CountDownLatch go = new CountDownLatch(1);
		Map<Strategy, List<Caller>> byStrategy = new EnumMap<>(Strategy.class);
		for (Strategy strategy : Strategy.values()) {
			RestClient client = client(builder);
			List<Caller> list = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				// Spread the callers' schedules evenly over one period.
				Caller caller = new Caller(client, strategy, go, TimeUnit.SECONDS.toNanos(1) * i / RATE,
						TimeUnit.SECONDS.toNanos(1) * callers / RATE, warmup, learn, callsPerCaller);
				caller.start();
				list.add(caller);
			}
			byStrategy.put(strategy, list);
		}
		go.countDown();
		Map<Strategy, Result> results = new EnumMap<>(Strategy.class);
		for (Map.Entry<Strategy, List<Caller>> entry : byStrategy.entrySet()) {
			for (Caller caller : entry.getValue()) {
				caller.join();
			}
			results.put(entry.getKey(), Result.of(entry.getValue()));
		}
		return results;
	}

	/**
	 * A client with a connection pool of its own per strategy, so that the strategies do
	 * not wait on each other's connections. It is Apache HttpClient 5, as a
	 * {@code RestClient} picks it from this class path, but with more than its default 5
	 * connections per instance, on which calls to the slow one would queue.
	 */
	private static RestClient client(RestClient.Builder builder) {
		CloseableHttpClient httpClient = HttpClients.custom()
			.setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
				.setMaxConnPerRoute(64)
				.setMaxConnTotal(256)
				.build())
			.build();
		return builder.clone().requestFactory(new HttpComponentsClientHttpRequestFactory(httpClient)).build();
	}

	private static Instance instance(HttpServer server) {
		Instance instance = new Instance();
		instance.setIp("127.0.0.1");
		instance.setPort(server.getAddress().getPort());
		instance.setWeight(1);
		instance.setEphemeral(true);
		return instance;
	}

	/**
	 * A provider answering its one-letter name in a header; a late answer comes from a
	 * timer, holding no thread meanwhile. No body: the JDK server writes a body apart
	 * from the headers, and with Nagle's algorithm on (its default) the second write
	 * would wait for the client's delayed ACK, some 40 ms.
	 * @param spikePercent share of calls answered {@link #SPIKE_MILLIS} late, as a busy
	 * machine's hiccups would
	 */
	private static HttpServer provider(char name, long delayMillis, int spikePercent, ScheduledExecutorService delays)
			throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
		String value = String.valueOf(name);
		server.createContext("/who", (exchange) -> {
			exchange.getResponseHeaders().set(PROVIDER_HEADER, value);
			long delay = (ThreadLocalRandom.current().nextInt(100) < spikePercent) ? SPIKE_MILLIS : delayMillis;
			if (delay > 0) {
				delays.schedule(() -> respond(exchange), delay, TimeUnit.MILLISECONDS);
			}
			else {
				respond(exchange);
			}
		});
		server.start();
		return server;
	}

	private static void respond(HttpExchange exchange) {
		try {
			exchange.sendResponseHeaders(200, -1);
		}
		catch (IOException ex) {
			// The caller counts the failed call.
		}
		finally {
			exchange.close();
		}
	}

	/**
	 * How each strategy is configured: its own service, so that each has its own balancer
	 * and statistics.
	 */
	enum Strategy {

		ROUND_ROBIN("RoundRobinLoadBalancer (reference)", "adaptive-lb-round-robin", null),

		WEIGHTED("weighted", "adaptive-lb-weighted", "weighted"),

		LEAST_LATENCY("least-latency", "adaptive-lb-least-latency", "least-latency");

		final String label;

		final String service;

		final @Nullable String property;

		Strategy(String label, String service, @Nullable String property) {
			this.label = label;
			this.service = service;
			this.property = property;
		}

	}

	/**
	 * One caller of one strategy, on a fixed schedule: a call that is late because the
	 * previous one overran starts at once, so that every strategy makes its calls over
	 * the same time whatever its latency.
	 */
	private static final class Caller extends Thread {

		private final RestClient client;

		private final String uri;

		private final String warmupUri = "http://" + WARMUP_SERVICE + "/who";

		private final CountDownLatch go;

		private final long offsetNanos;

		private final long periodNanos;

		private final int warmup;

		private final int learn;

		private final double[] latencies;

		private int slow;

		private int errors;

		private long firstStart;

		private long lastEnd;

		Caller(RestClient client, Strategy strategy, CountDownLatch go, long offsetNanos, long periodNanos, int warmup,
				int learn, int calls) {
			super("bench-" + strategy.service);
			setDaemon(true);
			this.client = client;
			this.uri = "http://" + strategy.service + "/who";
			this.go = go;
			this.offsetNanos = offsetNanos;
			this.periodNanos = periodNanos;
			this.warmup = warmup;
			this.learn = learn;
			this.latencies = new double[calls];
		}

		@Override
		public void run() {
			try {
				this.go.await();
			}
			catch (InterruptedException ex) {
				return;
			}
			long next = 0;
			int unmeasured = this.warmup + this.learn;
			for (int i = 0; i < unmeasured + this.latencies.length; i++) {
				if (i == 0 || i == this.warmup || i == unmeasured) {
					// Each phase starts on time: the warm-up's late calls are not made up
					// in the measured phase.
					next = System.nanoTime() + this.offsetNanos;
				}
				long wait = next - System.nanoTime();
				if (wait > 0) {
					LockSupport.parkNanos(wait);
				}
				long start = System.nanoTime();
				char answer;
				try {
					String uri = (i < this.warmup) ? this.warmupUri : this.uri;
					String provider = this.client.get()
						.uri(uri)
						.retrieve()
						.toBodilessEntity()
						.getHeaders()
						.getFirst(PROVIDER_HEADER);
					answer = (provider != null && !provider.isEmpty()) ? provider.charAt(0) : '?';
				}
				catch (RuntimeException ex) {
					answer = '!';
				}
				long end = System.nanoTime();
				next += this.periodNanos;
				int measured = i - unmeasured;
				if (measured < 0) {
					continue;
				}
				if (measured == 0) {
					this.firstStart = start;
				}
				this.lastEnd = end;
				this.latencies[measured] = ConfigRefreshScenario.ms(end - start);
				if (answer == SLOW) {
					this.slow++;
				}
				else if (answer == '!' || answer == '?') {
					this.errors++;
				}
			}
		}

	}

	/** The measured calls of one strategy. */
	private record Result(double[] latencies, int slow, int errors, long firstStart, long lastEnd) {

		static Result of(List<Caller> callers) {
			List<double[]> all = new ArrayList<>();
			int slow = 0;
			int errors = 0;
			long firstStart = Long.MAX_VALUE;
			long lastEnd = Long.MIN_VALUE;
			for (Caller caller : callers) {
				all.add(caller.latencies);
				slow += caller.slow;
				errors += caller.errors;
				firstStart = Math.min(firstStart, caller.firstStart);
				lastEnd = Math.max(lastEnd, caller.lastEnd);
			}
			double[] latencies = all.stream().flatMapToDouble(Arrays::stream).toArray();
			return new Result(latencies, slow, errors, firstStart, lastEnd);
		}

		Stats stats() {
			return Stats.of(this.latencies);
		}

		double mean() {
			return Arrays.stream(this.latencies).average().orElse(Double.NaN);
		}

		double slowPercent() {
			return 100.0 * this.slow / this.latencies.length;
		}

		double callsPerSecond() {
			return this.latencies.length / ((this.lastEnd - this.firstStart) / 1e9);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@LoadBalancerClient(name = "adaptive-lb-round-robin", configuration = RoundRobinConfiguration.class)
	static class ConsumerApp {

		@Bean
		@LoadBalanced
		RestClient.Builder restClientBuilder() {
			return RestClient.builder();
		}

	}

	/**
	 * The reference client's balancer: Spring Cloud's own, over the starter's instance
	 * supplier. Not a {@code @Configuration}, so that only the load-balancer client
	 * context picks it up.
	 */
	static class RoundRobinConfiguration {

		@Bean
		ReactorLoadBalancer<ServiceInstance> roundRobinLoadBalancer(Environment environment,
				LoadBalancerClientFactory clientFactory) {
			String serviceId = LoadBalancerClientFactory.getName(environment);
			return new RoundRobinLoadBalancer(
					clientFactory.getLazyProvider(serviceId, ServiceInstanceListSupplier.class), serviceId);
		}

	}

}
