package dev.nacosboot.benchmarks;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar benchmarks.jar <scenario|all> [--flags]}: runs scenarios, prints one
 * table per scenario and ends with one summary line per scenario.
 */
public final class Benchmarks {

	private static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

	static {
		for (Scenario scenario : List.of(new ConfigRefreshScenario(), new DiscoveryPushScenario(),
				new StartupScenario(), new ConfigScaleScenario(), new DiscoveryScaleScenario(), new ChooseScenario(),
				new AdaptiveLbScenario(), new GatewayRoutesScenario())) {
			SCENARIOS.put(scenario.name(), scenario);
		}
	}

	private Benchmarks() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length == 0 || args[0].equals("--help")) {
			usage(System.out);
			return;
		}
		ClientCaches.isolate();
		Options options = new Options(Arrays.copyOfRange(args, 1, args.length));
		List<Scenario> selected = new ArrayList<>();
		for (String name : args[0].split(",")) {
			if (name.equals("all")) {
				selected.addAll(SCENARIOS.values());
			}
			else if (SCENARIOS.containsKey(name)) {
				selected.add(SCENARIOS.get(name));
			}
			else {
				System.err.println("Unknown scenario: " + name);
				usage(System.err);
				System.exit(2);
			}
		}
		PrintStream out = System.out;
		out.println("# nacos-spring-boot benchmarks, " + Instant.now());
		out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
				+ System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + ", "
				+ System.getProperty("os.name") + " " + System.getProperty("os.arch") + "; "
				+ ManagementFactory.getRuntimeMXBean().getInputArguments() + "; load average " + loadAverage());
		String server = System.getenv("NACOS_SERVER_ADDR");
		out.println("server: " + ((server != null && !server.isBlank()) ? "external Nacos at " + server
				: "embedded nacos-test-server in a child JVM"));
		out.println();
		List<String> summary = new ArrayList<>();
		for (Scenario scenario : selected) {
			out.println("## " + scenario.name() + ": " + scenario.description());
			out.println();
			long start = System.nanoTime();
			try {
				summary.add(scenario.run(options, out));
			}
			catch (Exception | Error ex) {
				ex.printStackTrace(out);
				summary.add(scenario.name() + ": FAILED (" + ex + ")");
			}
			out.println("(" + scenario.name() + " took " + Duration.ofNanos(System.nanoTime() - start).toSeconds()
					+ " s; load average " + loadAverage() + ")");
			out.println();
		}
		out.println("## summary");
		summary.forEach(out::println);
		// Client threads (gRPC, schedulers) of closed clients may linger as non-daemon
		// threads.
		System.exit(0);
	}

	/**
	 * The 1, 5 and 15 minute load averages: other work on the machine shows in every
	 * figure.
	 */
	static String loadAverage() {
		try {
			String[] fields = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
			return fields[0] + " " + fields[1] + " " + fields[2];
		}
		catch (java.io.IOException | RuntimeException ex) {
			return String.format(java.util.Locale.ROOT, "%.2f",
					ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
		}
	}

	private static void usage(PrintStream out) {
		out.println("usage: java -jar benchmarks.jar <scenario[,scenario...]|all> [--long] [--flag=value ...]");
		out.println();
		SCENARIOS.values().forEach((scenario) -> out.println("  " + scenario.name() + ": " + scenario.description()));
		out.println();
		out.println("Flags: --long (five times the default counts), --publishes=N (config-refresh), --cycles=N");
		out.println(
				"(discovery-push, gateway-routes), --runs=N (startup), --data-ids=N --refreshes=N (config-scale), --services=N");
		out.println(
				"--instances=N (scale), --profile (startup: slowest startup steps), --forks=N (choose), --verbose,");
		out.println("--calls=N --callers=N --decay-time=SECONDS --spikes=PERCENT (adaptive-lb: calls and callers per");
		out.println("strategy, the least-latency decay time, share of the fast providers' calls answered 30 ms late),");
		out.println("--memory (startup: children under Native Memory Tracking, committed memory per category), --aot");
		out.println("(startup: also the starter and cloud modes processed ahead of time by the build, run with Spring");
		out.println("AOT), --cds (startup: also both with a CDS archive each, recorded by a training run first),");
		out.println("--startup-imports=N (startup: data ids the starter imports, 1-3, default 1; an explicit --runs");
		out.println(
				"lifts the time budget), --starter-args=\"--a=1 --b=2\" (startup: more arguments for the starter's");
		out.println("launches, such as a part switched off, to measure what it costs against the same references),");
		out.println("--push-delay=MILLIS (embedded server; 0 by default, a real Nacos 3 has ~500).");
		out.println("NACOS_SERVER_ADDR=host:port (and NACOS_USERNAME/NACOS_PASSWORD) runs against that server.");
	}

}
