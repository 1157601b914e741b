package dev.nacosboot.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.listener.AbstractListener;
import dev.nacosboot.config.NacosConfigRefreshedEvent;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.context.ApplicationListener;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Config publish -> the new value seen by a {@code @ConfigurationProperties} bean, a
 * {@code @RefreshScope} bean and a plain {@code @Value} field, against publish -> a raw
 * nacos-client {@code Listener} callback in the same JVM (its own client, as the
 * application's).
 * <p>
 * A reader thread polls the three beans every ~0.2 ms (as application code reading them
 * would), so their times include up to that much sampling delay; the raw callback and the
 * refreshed event are timed exactly. Publishes of the data id are spaced by 300 ms so
 * that the client's limit of ~5 identical queries per second never delays one.
 */
final class ConfigRefreshScenario implements Scenario {

	private static final String DATA_ID = "bench-refresh.properties";

	private static final long SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

	private static final int WARMUP = 5;

	@Override
	public String name() {
		return "config-refresh";
	}

	@Override
	public String description() {
		return "config publish -> new value in @ConfigurationProperties / @RefreshScope / @Value vs raw Listener";
	}

	@Override
	public String run(Options options, PrintStream out) throws Exception {
		int publishes = options.count("publishes", 50);
		String group = "BENCH_REFRESH_" + System.currentTimeMillis();
		try (NacosTarget target = NacosTarget.start(options.integer("push-delay", 0))) {
			ConfigService publisher = target.configService();
			ConfigService raw = target.configService();
			ConfigurableApplicationContext app = null;
			Poller poller = null;
			try {
				publish(publisher, group, 0);
				Map<Integer, Long> rawSeen = new ConcurrentHashMap<>();
				raw.getConfig(DATA_ID, group, 5000);
				raw.addListener(DATA_ID, group, new AbstractListener() {
					@Override
					public void receiveConfigInfo(String content) {
						long now = System.nanoTime();
						rawSeen.putIfAbsent(valueOf(content), now);
					}
				});
				Map<String, Object> properties = Apps.common(target);
				properties.put("spring.application.name", "bench-refresh");
				properties.put("spring.config.import", "nacos:" + DATA_ID + "?group=" + group + "&refresh=true");
				properties.put("spring.cloud.nacos.discovery.enabled", "false");
				app = Apps.start(RefreshApp.class, WebApplicationType.NONE, properties);
				RefreshApp beans = app.getBean(RefreshApp.class);
				poller = new Poller(app.getBean(BenchProperties.class), app.getBean(RefreshScoped.class),
						app.getBean(ValueHolder.class));
				poller.start();

				List<Double> rawMs = new ArrayList<>();
				List<Double> eventMs = new ArrayList<>();
				List<Double> propertiesMs = new ArrayList<>();
				List<Double> refreshScopeMs = new ArrayList<>();
				List<Double> valueMs = new ArrayList<>();
				List<Double> propertiesOver = new ArrayList<>();
				List<Double> refreshScopeOver = new ArrayList<>();
				List<Double> valueOver = new ArrayList<>();
				int missed = 0;
				for (int i = 1; i <= WARMUP + publishes; i++) {
					poller.expect(i);
					long start = System.nanoTime();
					publish(publisher, group, i);
					long deadline = start + TimeUnit.SECONDS.toNanos(10);
					while (!(rawSeen.containsKey(i) && poller.done() && beans.refreshed.containsKey(i))
							&& System.nanoTime() < deadline) {
						LockSupport.parkNanos(1_000_000);
					}
					Long rawAt = rawSeen.get(i);
					Long eventAt = beans.refreshed.get(i);
					if (rawAt == null || eventAt == null || !poller.done()) {
						missed++;
					}
					else if (i > WARMUP) {
						rawMs.add(ms(rawAt - start));
						eventMs.add(ms(eventAt - start));
						propertiesMs.add(ms(poller.seen[0] - start));
						refreshScopeMs.add(ms(poller.seen[1] - start));
						valueMs.add(ms(poller.seen[2] - start));
						propertiesOver.add(ms(poller.seen[0] - rawAt));
						refreshScopeOver.add(ms(poller.seen[1] - rawAt));
						valueOver.add(ms(poller.seen[2] - rawAt));
						if (options.flag("verbose")) {
							out.printf(
									"publish %d: raw %.1f, event %.1f, properties %.1f, refresh scope %.1f, value %.1f ms%n",
									i, ms(rawAt - start), ms(eventAt - start), ms(poller.seen[0] - start),
									ms(poller.seen[1] - start), ms(poller.seen[2] - start));
						}
					}
					long wait = start + SPACING_NANOS - System.nanoTime();
					if (wait > 0) {
						LockSupport.parkNanos(wait);
					}
				}
				out.println("Server: " + target.describe() + "; " + publishes + " measured publishes (after " + WARMUP
						+ " warm-up ones), 300 ms apart; missed (no value within 10 s): " + missed + ".");
				out.println();
				Table latency = new Table("publish -> seen (ms)", "n", "p50", "p99", "max");
				latency.stats("raw nacos-client Listener (reference)", Stats.of(rawMs));
				latency.stats("NacosConfigRefreshedEvent", Stats.of(eventMs));
				latency.stats("@ConfigurationProperties", Stats.of(propertiesMs));
				latency.stats("@RefreshScope bean", Stats.of(refreshScopeMs));
				latency.stats("@Value field", Stats.of(valueMs));
				latency.print(out);
				Table overhead = new Table("overhead over the raw Listener, per publish (ms)", "n", "p50", "p99",
						"max");
				Stats cp = Stats.of(propertiesOver);
				Stats rs = Stats.of(refreshScopeOver);
				Stats value = Stats.of(valueOver);
				overhead.stats("@ConfigurationProperties", cp);
				overhead.stats("@RefreshScope bean", rs);
				overhead.stats("@Value field", value);
				overhead.print(out);
				Stats reference = Stats.of(rawMs);
				double worstP50 = Math.max(cp.p50(), Math.max(rs.p50(), value.p50()));
				double worstP99 = Math.max(cp.p99(), Math.max(rs.p99(), value.p99()));
				double slowestP50 = Math.max(Stats.of(propertiesMs).p50(),
						Math.max(Stats.of(refreshScopeMs).p50(), Stats.of(valueMs).p50()));
				out.println("Target: p50 overhead <= 15 ms, p99 <= 50 ms -> "
						+ verdict(worstP50 <= 15 && worstP99 <= 50) + " (slowest of the three: p50 +"
						+ Stats.format(worstP50) + " ms, p99 +" + Stats.format(worstP99) + " ms).");
				out.println();
				return String.format(
						"config-refresh: %s ms p50 publish->all three beans updated, overhead p50 +%s / "
								+ "p99 +%s ms (raw Listener %s ms, ratio %s)",
						Stats.format(slowestP50), Stats.format(worstP50), Stats.format(worstP99),
						Stats.format(reference.p50()), Stats.format(slowestP50 / reference.p50()));
			}
			finally {
				if (poller != null) {
					poller.interrupt();
				}
				if (app != null) {
					app.close();
				}
				try {
					if (!target.isEmbedded()) {
						publisher.removeConfig(DATA_ID, group);
					}
				}
				finally {
					raw.shutDown();
					publisher.shutDown();
				}
			}
		}
	}

	static String verdict(boolean met) {
		return met ? "met" : "MISSED";
	}

	static double ms(long nanos) {
		return nanos / 1_000_000.0;
	}

	private static void publish(ConfigService publisher, String group, int value) throws Exception {
		if (!publisher.publishConfig(DATA_ID, group, "bench.value=" + value + "\nbench.name=refresh\n", "properties")) {
			throw new IllegalStateException("Publish refused");
		}
	}

	private static int valueOf(String content) {
		for (String line : content.split("\n")) {
			if (line.startsWith("bench.value=")) {
				return Integer.parseInt(line.substring("bench.value=".length()).trim());
			}
		}
		return -1;
	}

	/**
	 * Reads the three beans as application code would, recording when each first shows
	 * the expected value.
	 */
	private static final class Poller extends Thread {

		private final BenchProperties properties;

		private final RefreshScoped refreshScoped;

		private final ValueHolder valueHolder;

		private volatile int expected = -1;

		final long[] seen = new long[3];

		private volatile boolean done;

		Poller(BenchProperties properties, RefreshScoped refreshScoped, ValueHolder valueHolder) {
			super("bench-reader");
			setDaemon(true);
			this.properties = properties;
			this.refreshScoped = refreshScoped;
			this.valueHolder = valueHolder;
		}

		void expect(int value) {
			synchronized (this.seen) {
				this.seen[0] = 0;
				this.seen[1] = 0;
				this.seen[2] = 0;
				this.done = false;
				this.expected = value;
			}
		}

		boolean done() {
			return this.done;
		}

		@Override
		public void run() {
			while (!isInterrupted()) {
				int expected = this.expected;
				synchronized (this.seen) {
					if (!this.done && expected >= 0) {
						long now = System.nanoTime();
						record(0, this.properties.getValue() == expected, now);
						record(1, this.refreshScoped.getValue() == expected, now);
						record(2, this.valueHolder.value == expected, now);
						this.done = this.seen[0] != 0 && this.seen[1] != 0 && this.seen[2] != 0;
					}
				}
				LockSupport.parkNanos(200_000);
			}
		}

		private void record(int index, boolean matches, long now) {
			if (matches && this.seen[index] == 0) {
				this.seen[index] = now;
			}
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableConfigurationProperties(BenchProperties.class)
	static class RefreshApp implements ApplicationListener<NacosConfigRefreshedEvent>, EnvironmentAware {

		final Map<Integer, Long> refreshed = new ConcurrentHashMap<>();

		private @Nullable Environment environment;

		@Override
		public void setEnvironment(Environment environment) {
			this.environment = environment;
		}

		@Bean
		@RefreshScope
		RefreshScoped refreshScoped(@Value("${bench.value}") int value) {
			return new RefreshScoped(value);
		}

		@Bean
		ValueHolder valueHolder() {
			return new ValueHolder();
		}

		@Override
		public void onApplicationEvent(NacosConfigRefreshedEvent event) {
			long now = System.nanoTime();
			String value = (this.environment != null) ? this.environment.getProperty("bench.value") : null;
			if (value != null) {
				this.refreshed.putIfAbsent(Integer.parseInt(value), now);
			}
		}

	}

	@ConfigurationProperties("bench")
	public static class BenchProperties {

		private volatile int value;

		private String name = "";

		public int getValue() {
			return this.value;
		}

		public void setValue(int value) {
			this.value = value;
		}

		public String getName() {
			return this.name;
		}

		public void setName(String name) {
			this.name = name;
		}

	}

	/**
	 * A bean of the refresh scope: rebuilt with the new value on first use after a
	 * refresh.
	 */
	public static class RefreshScoped {

		private final int value;

		public RefreshScoped(int value) {
			this.value = value;
		}

		public int getValue() {
			return this.value;
		}

	}

	/**
	 * A singleton with a plain {@code @Value} field, re-injected in place by the starter.
	 */
	public static class ValueHolder {

		@Value("${bench.value}")
		volatile int value;

	}

}
