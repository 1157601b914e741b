package dev.nacosboot.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import org.jspecify.annotations.Nullable;

/**
 * Startup of a small web application (Tomcat, one controller) in a fresh JVM: with the
 * starter (import of three data ids, registration) to ready and to visible in Nacos (a
 * raw subscriber's callback), against the same application and jar with the starter's and
 * Spring Cloud's auto-configurations excluded and no import. Then its shutdown as an
 * orchestrator does it: SIGTERM -> the JVM has exited, with the time the instance left a
 * subscriber's view and the deregistrations that timed out. Runs alternate; the first
 * pair warms the OS file cache and is not counted.
 */
final class StartupScenario implements Scenario {

	private static final List<String> DATA_IDS = List.of("startup-a.properties", "startup-b.yaml",
			"startup-c.properties");

	@Override
	public String name() {
		return "startup";
	}

	@Override
	public String description() {
		return "startup of a small web app with the starter (3 data ids, registration) to ready / visible vs without, "
				+ "and its SIGTERM -> exit";
	}

	@Override
	public String run(Options options, PrintStream out) throws Exception {
		int runs = options.count("runs", 4);
		String group = "BENCH_STARTUP_" + System.currentTimeMillis();
		try (NacosTarget target = NacosTarget.start(options.integer("push-delay", 0))) {
			ConfigService publisher = target.configService();
			NamingService watcher = target.namingService();
			try {
				publisher.publishConfig(DATA_IDS.get(0), group, "bench.a=1\nbench.shared=a\n", "properties");
				publisher.publishConfig(DATA_IDS.get(1), group, "bench:\n  b: 2\n  list: [x, y]\n", "yaml");
				publisher.publishConfig(DATA_IDS.get(2), group, "bench.c=3\n", "properties");
				List<Double> readyWith = new ArrayList<>();
				List<Double> visibleWith = new ArrayList<>();
				List<Double> readyWithout = new ArrayList<>();
				List<Double> readyCloud = new ArrayList<>();
				List<Double> cpuWith = new ArrayList<>();
				List<Double> cpuWithout = new ArrayList<>();
				List<Double> cpuCloud = new ArrayList<>();
				List<Double> exitWith = new ArrayList<>();
				List<Double> exitWithout = new ArrayList<>();
				List<Double> exitCloud = new ArrayList<>();
				List<Double> goneWith = new ArrayList<>();
				long timeouts = 0;
				List<String> steps = new ArrayList<>();
				boolean profile = options.flag("profile");
				// A round starts only when it should end within the budget (as long as
				// the last one took).
				long budget = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.isLong() ? 600 : 95);
				long lastRound = 0;
				int done = 0;
				for (int run = 0; run <= runs && (run < 2 || System.nanoTime() + lastRound < budget); run++) {
					long roundStart = System.nanoTime();
					boolean counted = run > 0;
					String service = "bench-startup-" + run;
					Map<String, Long> visible = new ConcurrentHashMap<>();
					Map<String, Long> gone = new ConcurrentHashMap<>();
					watcher.subscribe(service, group, (event) -> {
						if (event instanceof NamingEvent naming) {
							if (!naming.getInstances().isEmpty()) {
								visible.putIfAbsent(service, System.currentTimeMillis());
							}
							else if (visible.containsKey(service)) {
								gone.putIfAbsent(service, System.nanoTime());
							}
						}
					});
					steps.clear();
					long[] with = launch(target, group, service, "starter", visible, gone, profile, steps);
					long[] without = launch(target, group, service + "-plain", "plain", visible, gone, profile, null);
					long[] cloud = launch(target, group, service + "-cloud", "cloud", visible, gone, profile, null);
					if (counted) {
						done++;
						readyWith.add((double) with[0]);
						visibleWith.add((double) with[1]);
						readyWithout.add((double) without[0]);
						readyCloud.add((double) cloud[0]);
						cpuWith.add((double) with[2]);
						cpuWithout.add((double) without[2]);
						cpuCloud.add((double) cloud[2]);
						exitWith.add((double) with[3]);
						exitWithout.add((double) without[3]);
						exitCloud.add((double) cloud[3]);
						if (with[4] >= 0) {
							goneWith.add((double) with[4]);
						}
						timeouts += with[5];
					}
					lastRound = System.nanoTime() - roundStart;
				}
				out.println("Server: " + target.describe() + "; " + done + " runs of each (after one warm-up round; "
						+ "fewer than " + runs + " when the 95 s budget ran out), in turn; launch of the JVM -> event, "
						+ "in ms; load average at the end " + Benchmarks.loadAverage() + ".");
				out.println();
				Stats ready = Stats.of(readyWith);
				Stats plain = Stats.of(readyWithout);
				Stats seen = Stats.of(visibleWith);
				Table table = new Table("JVM launch -> (ms)", "n", "p50", "p99", "max");
				table.stats("ready, without the starter (reference)", plain);
				table.stats("ready, Spring Cloud commons/context/loadbalancer only (no starter)", Stats.of(readyCloud));
				table.stats("ready, with the starter", ready);
				table.stats("visible in Nacos (raw subscriber callback), with the starter", seen);
				table.stats("CPU time of the JVM at ready, without the starter", Stats.of(cpuWithout));
				table.stats("CPU time of the JVM at ready, Spring Cloud only", Stats.of(cpuCloud));
				table.stats("CPU time of the JVM at ready, with the starter", Stats.of(cpuWith));
				table.print(out);
				Stats exit = Stats.of(exitWith);
				Stats exitPlain = Stats.of(exitWithout);
				Table shutdown = new Table("SIGTERM -> (ms)", "n", "p50", "p99", "max");
				shutdown.stats("JVM exited, without the starter (reference)", exitPlain);
				shutdown.stats("JVM exited, Spring Cloud only", Stats.of(exitCloud));
				shutdown.stats("JVM exited, with the starter", exit);
				shutdown.stats("instance gone from a subscriber's view, with the starter", Stats.of(goneWith));
				shutdown.print(out);
				if (profile) {
					out.println("Slowest startup steps of the last run with the starter (ms, nested steps included):");
					steps.forEach((step) -> out.println("  " + step));
					out.println();
				}
				double overhead = ready.p50() - plain.p50();
				double cpuOverhead = Stats.of(cpuWith).p50() - Stats.of(cpuWithout).p50();
				out.println("Target: overhead <= 300 ms p50 -> " + ConfigRefreshScenario.verdict(overhead <= 300)
						+ ((done < 3) ? " (only " + done + " run(s) of each fitted the budget: not conclusive)" : "")
						+ " (+" + Stats.format(overhead) + " ms to ready, +" + Stats.format(seen.p50() - plain.p50())
						+ " ms to visible; +" + Stats.format(cpuOverhead) + " ms of CPU time, which other load on "
						+ "the machine disturbs less). The reference keeps the jar: only auto-configurations and the "
						+ "import are off, so class-path scanning of the extra jars is in both.");
				out.println();
				double exitOverhead = exit.p50() - exitPlain.p50();
				double exitTarget = target.isEmbedded() ? 500 : 1000;
				out.println("Target: SIGTERM -> exit overhead <= " + Stats.format(exitTarget) + " ms p50 ("
						+ (target.isEmbedded() ? "embedded server" : "real Nacos, which delays pushes ~500 ms")
						+ ") and no deregistration timed out -> "
						+ ConfigRefreshScenario.verdict(exitOverhead <= exitTarget && timeouts == 0) + " (+"
						+ Stats.format(exitOverhead) + " ms; " + timeouts + " time-out(s) in the logs).");
				out.println();
				return String.format(
						"startup: %s ms p50 to ready with the starter, %s ms to visible (without: %s "
								+ "ms, ratio %s, overhead +%s ms; CPU time +%s ms; n=%d); SIGTERM -> exit %s ms "
								+ "(without: %s ms, overhead +%s ms, %d time-outs)",
						Stats.format(ready.p50()), Stats.format(seen.p50()), Stats.format(plain.p50()),
						Stats.format(ready.p50() / plain.p50()), Stats.format(overhead), Stats.format(cpuOverhead),
						done, Stats.format(exit.p50()), Stats.format(exitPlain.p50()), Stats.format(exitOverhead),
						timeouts);
			}
			finally {
				if (!target.isEmbedded()) {
					for (String dataId : DATA_IDS) {
						publisher.removeConfig(dataId, group);
					}
				}
				watcher.shutDown();
				publisher.shutDown();
			}
		}
	}

	/**
	 * Runs one child, then stops it with SIGTERM; returns {launch -> ready, launch ->
	 * visible, CPU time at ready, SIGTERM -> exited, SIGTERM -> gone from the subscriber,
	 * deregistrations that timed out} in ms (visible and gone are -1 without the
	 * starter).
	 */
	private static long[] launch(NacosTarget target, String group, String service, String mode,
			Map<String, Long> visible, Map<String, Long> gone, boolean profile, @Nullable List<String> steps)
			throws Exception {
		boolean nacos = mode.equals("starter");
		List<String> command = new ArrayList<>(ChildJvm.command());
		command.add(StartupApp.class.getName());
		command.add("--mode=" + mode);
		if (profile) {
			command.add("--profile");
		}
		command.add("--server.port=0");
		command.add("--spring.application.name=" + service);
		command.add("--spring.main.banner-mode=off");
		command.add("--logging.level.root=warn");
		command.add("--spring.jmx.enabled=false");
		if (nacos) {
			target.springProperties().forEach((key, value) -> command.add("--" + key + "=" + value));
			command.add("--spring.cloud.nacos.discovery.group=" + group);
			command.add("--spring.cloud.nacos.discovery.ip=127.0.0.1");
			command.add("--spring.config.import=nacos:" + String.join(";", DATA_IDS) + "?group=" + group);
			// For the line that says a deregistration timed out.
			command.add("--logging.level.dev.nacosboot.registry=info");
		}
		long launched = System.currentTimeMillis();
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
		try {
			BufferedReader reader = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
			String line;
			long ready = -1;
			long cpu = -1;
			while ((line = reader.readLine()) != null) {
				if (line.startsWith("READY ")) {
					String[] fields = line.split(" ");
					ready = Long.parseLong(fields[1]) - launched;
					cpu = Long.parseLong(fields[2]) / 1_000_000;
					if (!profile) {
						break;
					}
				}
				else if (line.startsWith("STEP ") && steps != null && steps.size() < 15) {
					steps.add(line.substring(5));
				}
				else if (line.equals("END")) {
					break;
				}
			}
			if (ready < 0) {
				throw new IllegalStateException("The application did not start (" + command + ")");
			}
			AtomicInteger timeouts = new AtomicInteger();
			Thread output = countTimeouts(reader, timeouts);
			long seen = -1;
			if (nacos) {
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
				while (!visible.containsKey(service) && System.nanoTime() < deadline) {
					LockSupport.parkNanos(1_000_000);
				}
				Long at = visible.get(service);
				seen = (at != null) ? at - launched : -1;
			}
			// SIGTERM, keeping the pipes open (Process.destroy() would close them) so the
			// shutdown's log is read to the end.
			long signalled = System.nanoTime();
			process.toHandle().destroy();
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException("The application did not exit within 60 s of SIGTERM");
			}
			long exited = System.nanoTime();
			output.join(5000);
			Long removed = gone.get(service);
			return new long[] { ready, seen, cpu, (exited - signalled) / 1_000_000,
					(removed != null) ? (removed - signalled) / 1_000_000 : -1, timeouts.get() };
		}
		finally {
			if (process.isAlive()) {
				process.destroyForcibly();
			}
		}
	}

	// Reads a child's output to the end on a daemon thread, so that a full pipe never
	// blocks it, counting the deregistrations that timed out.
	private static Thread countTimeouts(BufferedReader reader, AtomicInteger timeouts) {
		Thread thread = new Thread(() -> {
			try {
				String line;
				while ((line = reader.readLine()) != null) {
					if (line.contains("did not confirm the removal")) {
						timeouts.incrementAndGet();
					}
				}
			}
			catch (IOException ex) {
				// the child is gone
			}
		}, "child-output");
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

}
