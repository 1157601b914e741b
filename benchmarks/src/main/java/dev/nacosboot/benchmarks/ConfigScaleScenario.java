package dev.nacosboot.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.config.NacosConfigRefreshHistory;
import dev.nacosboot.config.NacosConfigRefreshedEvent;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An application importing 200 data ids at startup, one of which changes, against an
 * application importing one data id: publish -> {@code NacosConfigRefreshedEvent}, and
 * the refresh's own duration from {@link NacosConfigRefreshHistory}. Both applications
 * run side by side and publishes alternate between them, 300 ms apart, so drift of the
 * machine hits both alike.
 */
final class ConfigScaleScenario implements Scenario {

	private static final int WARMUP = 3;

	@Override
	public String name() {
		return "config-scale";
	}

	@Override
	public String description() {
		return "refresh of one data id in an app importing 200 data ids vs an app importing 1";
	}

	@Override
	public String run(Options options, PrintStream out) throws Exception {
		int dataIds = options.integer("data-ids", 200);
		int refreshes = options.count("refreshes", 30);
		String group = "BENCH_SCALE_CFG_" + System.currentTimeMillis();
		try (NacosTarget target = NacosTarget.start(options.integer("push-delay", 0))) {
			ConfigService publisher = target.configService();
			ConfigurableApplicationContext many = null;
			ConfigurableApplicationContext one = null;
			try {
				List<String> ids = new ArrayList<>();
				for (int i = 0; i < dataIds; i++) {
					String id = String.format("scale-%03d.properties", i);
					ids.add(id);
					publisher.publishConfig(id, group, content(i, 0), "properties");
				}
				publisher.publishConfig("solo.properties", group, content(0, 0), "properties");
				long start = System.nanoTime();
				many = app(target, group, String.join(";", ids), "bench-many");
				double startMany = ConfigRefreshScenario.ms(System.nanoTime() - start);
				start = System.nanoTime();
				one = app(target, group, "solo.properties", "bench-one");
				double startOne = ConfigRefreshScenario.ms(System.nanoTime() - start);
				ScaleApp manyBeans = many.getBean(ScaleApp.class);
				ScaleApp oneBeans = one.getBean(ScaleApp.class);
				List<Double> manyMs = new ArrayList<>();
				List<Double> oneMs = new ArrayList<>();
				int missed = 0;
				for (int round = 1; round <= WARMUP + refreshes; round++) {
					String id = ids.get((round * 7) % ids.size());
					double a = refresh(publisher, group, id, content(round, round), manyBeans);
					double b = refresh(publisher, group, "solo.properties", content(round, round), oneBeans);
					if (a < 0 || b < 0) {
						missed++;
					}
					else if (round > WARMUP) {
						manyMs.add(a);
						oneMs.add(b);
					}
				}
				Stats manyStats = Stats.of(manyMs);
				Stats oneStats = Stats.of(oneMs);
				Stats manyApply = Stats.of(durations(many, "scale-"));
				Stats oneApply = Stats.of(durations(one, "solo"));
				out.println("Server: " + target.describe() + "; " + refreshes + " refreshes of each app (after "
						+ WARMUP + " warm-up ones), alternating, 300 ms apart; missed: " + missed + ". Startup to "
						+ "ready in this JVM: " + Stats.format(startMany) + " ms with " + dataIds + " data ids, "
						+ Stats.format(startOne) + " ms with 1.");
				out.println();
				Table table = new Table("refresh (ms)", "n", "p50", "p99", "max");
				table.stats("publish -> refreshed event, 1 data id (reference)", oneStats);
				table.stats("publish -> refreshed event, " + dataIds + " data ids", manyStats);
				table.stats("apply (refresh history duration), 1 data id", oneApply);
				table.stats("apply (refresh history duration), " + dataIds + " data ids", manyApply);
				table.print(out);
				double ratio = manyStats.p50() / oneStats.p50();
				double applyRatio = manyApply.p50() / oneApply.p50();
				out.println("Target: ratio <= 1.5 -> " + ConfigRefreshScenario.verdict(ratio <= 1.5) + " (p50 ratio "
						+ Stats.format(ratio) + "; of the apply step alone " + Stats.format(applyRatio) + ").");
				out.println();
				return String.format(
						"config-scale: %s ms p50 publish->refreshed with %d data ids (1 data id: %s ms, "
								+ "ratio %s; apply step %s vs %s ms, ratio %s)",
						Stats.format(manyStats.p50()), dataIds, Stats.format(oneStats.p50()), Stats.format(ratio),
						Stats.format(manyApply.p50()), Stats.format(oneApply.p50()), Stats.format(applyRatio));
			}
			finally {
				if (many != null) {
					many.close();
				}
				if (one != null) {
					one.close();
				}
				if (!target.isEmbedded()) {
					for (int i = 0; i < dataIds; i++) {
						publisher.removeConfig(String.format("scale-%03d.properties", i), group);
					}
					publisher.removeConfig("solo.properties", group);
				}
				publisher.shutDown();
			}
		}
	}

	private static ConfigurableApplicationContext app(NacosTarget target, String group, String dataIds, String name) {
		Map<String, Object> properties = Apps.common(target);
		properties.put("spring.application.name", name);
		properties.put("spring.config.import", "nacos:" + dataIds + "?group=" + group + "&refresh=true");
		properties.put("spring.cloud.nacos.discovery.enabled", "false");
		properties.put("spring.cloud.nacos.config.refresh.history-size", "1000");
		return Apps.start(ScaleApp.class, WebApplicationType.NONE, properties);
	}

	/**
	 * Publishes and waits for the refreshed event; returns ms, or -1 when none came
	 * within 10 s.
	 */
	private static double refresh(ConfigService publisher, String group, String dataId, String content, ScaleApp app)
			throws Exception {
		app.refreshed.remove(dataId);
		long start = System.nanoTime();
		publisher.publishConfig(dataId, group, content, "properties");
		long deadline = start + TimeUnit.SECONDS.toNanos(10);
		Long at;
		while ((at = app.refreshed.get(dataId)) == null && System.nanoTime() < deadline) {
			LockSupport.parkNanos(500_000);
		}
		long wait = start + TimeUnit.MILLISECONDS.toNanos(300) - System.nanoTime();
		if (wait > 0) {
			LockSupport.parkNanos(wait);
		}
		return (at != null) ? ConfigRefreshScenario.ms(at - start) : -1;
	}

	private static List<Double> durations(ConfigurableApplicationContext app, String prefix) {
		List<Double> durations = new ArrayList<>();
		List<NacosConfigRefreshHistory.Refresh> refreshes = app.getBean(NacosConfigRefreshHistory.class).refreshes();
		// Newest first: the last ones are the warm-up refreshes.
		for (int i = 0; i < refreshes.size() - WARMUP; i++) {
			NacosConfigRefreshHistory.Refresh refresh = refreshes.get(i);
			if (refresh.dataId().startsWith(prefix) && !refresh.outcome().isFailure()) {
				durations.add(refresh.duration().toNanos() / 1_000_000.0);
			}
		}
		return durations;
	}

	private static String content(int index, int revision) {
		StringBuilder content = new StringBuilder();
		for (int key = 0; key < 20; key++) {
			content.append("scale.d").append(index).append(".k").append(key).append('=').append(revision).append('\n');
		}
		content.append("scale.revision=").append(revision).append('\n');
		return content.toString();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ScaleApp implements ApplicationListener<NacosConfigRefreshedEvent> {

		final Map<String, Long> refreshed = new ConcurrentHashMap<>();

		@Override
		public void onApplicationEvent(NacosConfigRefreshedEvent event) {
			this.refreshed.putIfAbsent(event.getDataId(), System.nanoTime());
		}

	}

}
