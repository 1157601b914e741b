package dev.nacosboot.benchmarks.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.testserver.NacosTestServer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * Runs a provider and a consumer for a long time while the world keeps changing: a config
 * change every {@code --config-interval} (100 ms), an instance of another subscribed
 * service registered or deregistered every {@code --churn-interval} (500 ms), and the
 * consumer calling the provider through its load balancer in a loop. Every
 * {@code --report} (1 min) it prints heap after GC, threads, refresh latency percentiles
 * (publish -> {@code EnvironmentChangeEvent} in the consumer) and calls; at the end a
 * verdict: no failed call, no heap growth. <pre>
 * java -cp benchmarks/target/benchmarks-*.jar dev.nacosboot.benchmarks.soak.SoakProgram --duration=10m
 * </pre> Without {@code --server=host:port} it starts the embedded test server.
 */
public final class SoakProgram {

	private static final String DATA_ID = "soak.properties";

	private static final String GROUP = "SOAK";

	private SoakProgram() {
	}

	public static void main(String[] args) throws Exception {
		Duration duration = duration(option(args, "duration", "10m"));
		Duration configInterval = duration(option(args, "config-interval", "100ms"));
		Duration churnInterval = duration(option(args, "churn-interval", "500ms"));
		Duration report = duration(option(args, "report", "1m"));
		String server = option(args, "server", null);
		NacosTestServer embedded = (server != null) ? null : NacosTestServer.builder().build().start();
		String serverAddr = (server != null) ? server : embedded.serverAddr();
		Properties clientProperties = new Properties();
		clientProperties.setProperty(PropertyKeyConst.SERVER_ADDR, serverAddr);
		ConfigService operator = NacosFactory.createConfigService(clientProperties);
		NamingService churn = NacosFactory.createNamingService(clientProperties);
		operator.publishConfig(DATA_ID, GROUP, "soak.seq=0", "properties");
		Map<String, Object> common = Map.of("spring.cloud.nacos.server-addr", serverAddr,
				"spring.cloud.nacos.discovery.ip", "127.0.0.1", "spring.cloud.nacos.discovery.group", GROUP,
				"spring.main.banner-mode", "off", "spring.main.log-startup-info", "false", "spring.jmx.enabled",
				"false", "logging.level.root", "warn", "logging.level.com.alibaba.nacos", "error");
		try (ConfigurableApplicationContext provider = new SpringApplicationBuilder(Provider.class)
			.web(WebApplicationType.SERVLET)
			.properties(common)
			.properties("spring.application.name=soak-provider", "server.port=0")
			.run();
				ConfigurableApplicationContext consumer = new SpringApplicationBuilder(Consumer.class)
					.web(WebApplicationType.NONE)
					.properties(common)
					.properties("spring.application.name=soak-consumer",
							"spring.cloud.nacos.discovery.register-enabled=false",
							"spring.config.import=nacos:" + DATA_ID + "?group=" + GROUP + "&refresh=true")
					.run()) {
			Consumer.Refreshes refreshes = consumer.getBean(Consumer.Refreshes.class);
			RestClient client = consumer.getBean(RestClient.Builder.class).build();
			DiscoveryClient discovery = consumer.getBean(DiscoveryClient.class);
			while (discovery.getInstances("soak-provider").isEmpty()) {
				Thread.onSpinWait();
			}
			AtomicLong calls = new AtomicLong();
			AtomicLong failed = new AtomicLong();
			long end = System.nanoTime() + duration.toNanos();
			Thread caller = new Thread(() -> {
				while (System.nanoTime() < end) {
					try {
						client.get().uri("http://soak-provider/ping").retrieve().body(String.class);
						calls.incrementAndGet();
					}
					catch (RuntimeException ex) {
						failed.incrementAndGet();
					}
				}
			}, "soak-calls");
			caller.start();
			System.out.printf("soak: %s against %s; config change every %s, churn every %s, report every %s%n",
					duration, serverAddr, configInterval, churnInterval, report);
			System.out.println("interval  heap-after-gc-MB  threads  refreshes  p50-ms  p90-ms  p99-ms  max-ms"
					+ "  calls  failed  churn-instances-seen");
			long seq = 0;
			long nextConfig = System.nanoTime();
			long nextChurn = System.nanoTime();
			long nextReport = System.nanoTime() + report.toNanos();
			int churnPort = 0;
			List<Long> heaps = new ArrayList<>();
			heaps.add(heapAfterGc());
			long lastCalls = 0;
			long lastFailed = 0;
			int interval = 0;
			while (System.nanoTime() < end) {
				long now = System.nanoTime();
				if (now >= nextConfig) {
					seq++;
					refreshes.published(seq, System.nanoTime());
					operator.publishConfig(DATA_ID, GROUP, "soak.seq=" + seq + "\nsoak.payload=" + "x".repeat(200),
							"properties");
					nextConfig += configInterval.toNanos();
				}
				if (now >= nextChurn) {
					int port = 20_000 + (churnPort++ % 20);
					if (churnPort % 40 < 20) {
						churn.registerInstance("soak-churn", GROUP, "127.0.0.1", port);
					}
					else {
						churn.deregisterInstance("soak-churn", GROUP, "127.0.0.1", port);
					}
					nextChurn += churnInterval.toNanos();
				}
				if (now >= nextReport) {
					interval++;
					long heap = heapAfterGc();
					heaps.add(heap);
					List<Long> latencies = refreshes.drain();
					long c = calls.get();
					long f = failed.get();
					System.out.printf("%8d  %16d  %7d  %9d  %6s  %6s  %6s  %6s  %5d  %6d  %d%n", interval, heap,
							Thread.activeCount(), latencies.size(), percentile(latencies, 50),
							percentile(latencies, 90), percentile(latencies, 99), percentile(latencies, 100),
							c - lastCalls, f - lastFailed, discovery.getInstances("soak-churn").size());
					lastCalls = c;
					lastFailed = f;
					nextReport += report.toNanos();
				}
				long sleep = Math.min(nextConfig, Math.min(nextChurn, nextReport)) - System.nanoTime();
				if (sleep > 0) {
					java.util.concurrent.locks.LockSupport.parkNanos(sleep);
				}
			}
			caller.join();
			long growth = heaps.get(heaps.size() - 1) - heaps.get(Math.min(1, heaps.size() - 1));
			System.out.printf(
					"soak done: %d config changes, %d calls, %d failed; heap after GC first interval %d MB,"
							+ " last %d MB (%+d MB) -> %s%n",
					seq, calls.get(), failed.get(), heaps.get(Math.min(1, heaps.size() - 1)),
					heaps.get(heaps.size() - 1), growth, (failed.get() == 0 && growth <= 16) ? "OK" : "CHECK");
		}
		finally {
			churn.shutDown();
			operator.shutDown();
			if (embedded != null) {
				embedded.close();
			}
		}
	}

	private static long heapAfterGc() {
		System.gc();
		Runtime runtime = Runtime.getRuntime();
		return (runtime.totalMemory() - runtime.freeMemory()) / (1024 * 1024);
	}

	private static String percentile(List<Long> sorted, int p) {
		if (sorted.isEmpty()) {
			return "-";
		}
		int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
		return String.valueOf(sorted.get(Math.max(0, index)) / 1_000_000);
	}

	private static String option(String[] args, String name, String fallback) {
		for (String arg : args) {
			if (arg.startsWith("--" + name + "=")) {
				return arg.substring(name.length() + 3);
			}
		}
		return fallback;
	}

	private static Duration duration(String text) {
		String value = text.trim().toLowerCase();
		if (value.endsWith("ms")) {
			return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
		}
		long amount = Long.parseLong(value.substring(0, value.length() - 1));
		return switch (value.charAt(value.length() - 1)) {
			case 's' -> Duration.ofSeconds(amount);
			case 'm' -> Duration.ofMinutes(amount);
			case 'h' -> Duration.ofHours(amount);
			default -> throw new IllegalArgumentException("Not a duration: " + text + " (use 100ms, 30s, 10m, 1h)");
		};
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@RestController
	static class Provider {

		@GetMapping("/ping")
		String ping() {
			return "pong";
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Consumer {

		@Bean
		@LoadBalanced
		RestClient.Builder restClientBuilder() {
			return RestClient.builder();
		}

		@Bean
		Refreshes refreshes(org.springframework.core.env.Environment environment) {
			return new Refreshes(environment);
		}

		/**
		 * Publish time per sequence number, and the latency of each one the consumer saw.
		 */
		static final class Refreshes implements ApplicationListener<EnvironmentChangeEvent> {

			private final org.springframework.core.env.Environment environment;

			private final Map<Long, Long> publishedAt = new ConcurrentHashMap<>();

			private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());

			Refreshes(org.springframework.core.env.Environment environment) {
				this.environment = environment;
			}

			void published(long seq, long nanos) {
				this.publishedAt.put(seq, nanos);
			}

			@Override
			public void onApplicationEvent(EnvironmentChangeEvent event) {
				long now = System.nanoTime();
				String seq = this.environment.getProperty("soak.seq");
				if (seq == null) {
					return;
				}
				Long published = this.publishedAt.remove(Long.parseLong(seq));
				if (published != null) {
					this.latencies.add(now - published);
				}
				// Coalesced changes are never seen on their own: forget them.
				this.publishedAt.keySet().removeIf((s) -> s < Long.parseLong(seq));
			}

			List<Long> drain() {
				synchronized (this.latencies) {
					List<Long> copy = new ArrayList<>(this.latencies);
					this.latencies.clear();
					Collections.sort(copy);
					return copy;
				}
			}

		}

	}

}
