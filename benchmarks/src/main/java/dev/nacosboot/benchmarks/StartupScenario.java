package dev.nacosboot.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import org.jspecify.annotations.Nullable;

/**
 * Startup and footprint of a small web application in a fresh JVM ({@link StartupApp}:
 * web, Actuator, Spring Cloud LoadBalancer, one {@code @ConfigurationProperties}, one
 * {@code @RefreshScope} bean), measured from outside as an orchestrator sees it, in three
 * modes from the same jar: {@code plain} (no starter, no Spring Cloud
 * auto-configurations, no import), {@code cloud} (Spring Cloud, no starter: the
 * application of the targets without Nacos, their reference) and {@code starter} (one
 * imported data id, registration). The overheads are the medians of the per-round
 * differences, against both references. Per launch: JVM launch -> ready, launch ->
 * {@code GET /actuator/health} answers UP (polled every 20 ms once the port is known),
 * and at ready the process's CPU time, RSS, live threads and loaded classes; with the
 * starter also launch -> visible in Nacos (a raw subscriber's callback). Then SIGTERM ->
 * the JVM has exited, with the time the instance left the subscriber's view and the
 * deregistrations that timed out. Modes run in turn, their order alternating per round;
 * the first round warms the OS file cache and is not counted. With {@code --memory} every
 * child runs with Native Memory Tracking and prints its committed memory per category at
 * ready (its timings then include NMT's cost). With {@code --aot} two more modes run as
 * processed ahead of time by the build (Spring AOT, {@code -Dspring.aot.enabled=true},
 * Spring Cloud's refresh scope off): {@code aot}, the starter mode (the starter's scope
 * serves {@code @RefreshScope}), and {@code aot-cloud}, the cloud mode (a stand-in scope
 * serves it), the reference its overheads are judged against. With {@code --cds} two more
 * run with a class data sharing archive each ({@code -XX:SharedArchiveFile}), recorded
 * first by a training run as Spring Boot documents it ({@code -XX:ArchiveClassesAtExit},
 * {@code -Dspring.context.exit=onRefresh}): {@code cds}, the starter mode, judged against
 * {@code cds-cloud}, the cloud mode. With {@code --starter-args="..."} the starter's
 * launches get more arguments, such as a part switched off, so that what that part costs
 * shows against the same references (a launch that does not register waits 30 s for it).
 */
final class StartupScenario implements Scenario {

	private static final List<String> DATA_IDS = List.of("startup-a.properties", "startup-b.yaml",
			"startup-c.properties");

	private static final List<String> MODES = List.of("plain", "cloud", "starter");

	private static final long HEALTH_POLL_MILLIS = 20;

	private static final Variant AOT = new Variant("aot", "aot-cloud", "processed ahead of time (Spring AOT)", "AOT");

	private static final Variant CDS = new Variant("cds", "cds-cloud",
			"with a CDS archive recorded by a training run (spring.context.exit=onRefresh)", "CDS");

	@Override
	public String name() {
		return "startup";
	}

	@Override
	public String description() {
		return "launch -> ready / health UP / visible, CPU, RSS, threads and classes at ready of a small web app "
				+ "with the starter vs the same app without it, and its SIGTERM -> exit";
	}

	@Override
	public String run(Options options, PrintStream out) throws Exception {
		int runs = options.count("runs", 4);
		int imports = Math.max(1, Math.min(DATA_IDS.size(), options.integer("startup-imports", 1)));
		boolean memory = options.flag("memory");
		boolean profile = options.flag("profile");
		List<String> starterArgs = Arrays.stream(options.text("starter-args", "").trim().split("\\s+"))
			.filter((arg) -> !arg.isEmpty())
			.toList();
		String group = "BENCH_STARTUP_" + System.currentTimeMillis();
		try (NacosTarget target = NacosTarget.start(options.integer("push-delay", 0))) {
			ConfigService publisher = target.configService();
			NamingService watcher = target.namingService();
			try {
				publisher.publishConfig(DATA_IDS.get(0), group, StartupApp.IMPORTED_CONTENT, "properties");
				publisher.publishConfig(DATA_IDS.get(1), group, "bench:\n  b: 2\n  list: [x, y]\n", "yaml");
				publisher.publishConfig(DATA_IDS.get(2), group, "bench.c=3\n", "properties");
				boolean aot = options.flag("aot");
				boolean cds = options.flag("cds");
				List<String> modes = new ArrayList<>(MODES);
				if (aot) {
					modes.add(AOT.mode());
					modes.add(AOT.reference());
				}
				Map<String, Path> archives = new LinkedHashMap<>();
				if (cds) {
					modes.add(CDS.mode());
					modes.add(CDS.reference());
					Path directory = Files.createTempDirectory("startup-cds");
					directory.toFile().deleteOnExit();
					for (String mode : List.of(CDS.mode(), CDS.reference())) {
						Path archive = directory.resolve(mode + ".jsa");
						train(appCommand(target, group, "bench-startup-training-" + mode, mode, imports, List.of(),
								false, false, archive), archive);
						archive.toFile().deleteOnExit();
						archives.put(mode, archive);
					}
				}
				Map<String, List<Launch>> results = new LinkedHashMap<>();
				modes.forEach((mode) -> results.put(mode, new ArrayList<>()));
				List<String> steps = new ArrayList<>();
				// Unless --runs is given, a round starts only when it should end within
				// the
				// budget (as long as the last one took).
				long budget = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.isLong() ? 600 : 95);
				boolean bounded = !options.has("runs");
				long lastRound = 0;
				int done = 0;
				for (int run = 0; run <= runs
						&& (run < 2 || !bounded || System.nanoTime() + lastRound < budget); run++) {
					long roundStart = System.nanoTime();
					String service = "bench-startup-" + run;
					Map<String, Long> visible = new ConcurrentHashMap<>();
					Map<String, Long> gone = new ConcurrentHashMap<>();
					steps.clear();
					List<String> order = new ArrayList<>(modes);
					if (run % 2 == 1) {
						java.util.Collections.reverse(order);
					}
					for (String mode : order) {
						String name = mode.equals("starter") ? service : service + "-" + mode;
						if (withStarter(mode)) {
							watch(watcher, name, group, visible, gone);
						}
						Launch launch = launch(target, group, name, mode, imports, starterArgs, visible, gone, profile,
								memory, mode.equals("starter") ? steps : null, archives.get(mode));
						if (run > 0) {
							results.get(mode).add(launch);
						}
					}
					if (run > 0) {
						done++;
					}
					lastRound = System.nanoTime() - roundStart;
				}
				out.println("Server: " + target.describe() + "; " + done + " runs of each mode (after one warm-up "
						+ "round; " + (bounded ? "fewer than " + runs + " when the budget ran out" : "as asked")
						+ "), modes in turn; " + imports + " imported data id(s) with the starter"
						+ (starterArgs.isEmpty() ? ""
								: "; the starter's launches with " + String.join(" ", starterArgs))
						+ (memory ? "; Native Memory Tracking on (timings include its cost)" : "")
						+ "; load average at the end " + Benchmarks.loadAverage() + ".");
				out.println();
				List<Launch> plain = results.get("plain");
				List<Launch> cloud = results.get("cloud");
				List<Launch> starter = results.get("starter");
				out.println("p50 is the median (the mean of the middle two for an even count), p90 the nearest rank.");
				out.println();
				Table table = new Table("measured", "plain p50", "p90", "cloud p50", "p90", "starter p50", "p90",
						"starter - plain (p50)", "cloud - plain (p50)");
				row(table, "JVM launch -> ready (ms)", results, Launch::ready);
				row(table, "JVM launch -> /actuator/health UP (ms)", results, Launch::healthy);
				row(table, "CPU time of the JVM at ready (ms)", results, Launch::cpu);
				row(table, "RSS at ready (MiB)", results, (launch) -> launch.rssKib() / 1024.0);
				row(table, "live threads at ready", results, Launch::threads);
				row(table, "loaded classes at ready", results, Launch::classes);
				row(table, "SIGTERM -> JVM exited (ms)", results, Launch::exit);
				table.print(out);
				Table nacos = new Table("with the starter (ms)", "n", "p50", "p99", "max");
				observed(nacos, "JVM launch -> visible in Nacos (raw subscriber callback)", starter, Launch::visible);
				observed(nacos, "SIGTERM -> instance gone from a subscriber's view", starter, Launch::gone);
				nacos.print(out);
				if (memory) {
					printNativeMemory(out, plain, starter);
				}
				if (profile) {
					out.println("Slowest startup steps of the last run with the starter (ms, nested steps included):");
					steps.forEach((step) -> out.println("  " + step));
					out.println();
				}
				String caveat = (done < 3) ? " (only " + done + " run(s) of each mode: not conclusive)" : "";
				String inconclusive = (done < 3) ? ", n=" + done + ": not conclusive" : "";
				printOverheads(out, cloud, plain, starter, caveat);
				Targets targets = Targets.of(starter, cloud);
				out.println(
						"Against cloud, the issue's application without Nacos (median of the per-round differences, "
								+ "p25..p75 in brackets):");
				targets.print(out, "Target", inconclusive,
						"; other load on the machine disturbs it less than wall times");
				double exitOverhead = overhead(starter, cloud, Launch::exit);
				long timeouts = starter.stream().mapToLong(Launch::timeouts).sum();
				double exitTarget = target.isEmbedded() ? 500 : 1000;
				out.println("Target: SIGTERM -> exit <= +" + Stats.format(exitTarget) + " ms ("
						+ (target.isEmbedded() ? "embedded server" : "real Nacos, which delays pushes ~500 ms")
						+ "), no deregistration timed out -> "
						+ ConfigRefreshScenario.verdict(exitOverhead <= exitTarget && timeouts == 0) + " ("
						+ signed(exitOverhead) + " ms; " + timeouts + " time-out(s) in the logs" + inconclusive + ")");
				String variantSummaries = (aot ? printVariant(out, AOT, results, inconclusive) : "")
						+ (cds ? printVariant(out, CDS, results, inconclusive) : "");
				out.println("The references keep the jar: only auto-configurations and the import are off, so "
						+ "class-path scanning of the extra jars is in all modes.");
				out.println();
				return String.format(
						"startup: starter - cloud, median of per-round differences: ready %s ms, health UP %s ms, "
								+ "RSS %s MiB, CPU %s ms (cloud: ready %s ms, health UP %s ms, RSS %s MiB, CPU %s ms; "
								+ "n=%d); against plain: ready %s ms, health UP %s ms, CPU %s ms; SIGTERM -> exit %s "
								+ "ms (%d time-outs)%s",
						signed(targets.ready().p50()), signed(targets.health().p50()), signed(targets.rss().p50()),
						signed(targets.cpu().p50()), Stats.format(p50(cloud, Launch::ready)),
						Stats.format(p50(cloud, Launch::healthy)),
						Stats.format(p50(cloud, (launch) -> launch.rssKib() / 1024.0)),
						Stats.format(p50(cloud, Launch::cpu)), done,
						signed(Paired.of(starter, plain, Launch::ready).p50()),
						signed(Paired.of(starter, plain, Launch::healthy).p50()),
						signed(Paired.of(starter, plain, Launch::cpu).p50()), signed(exitOverhead), timeouts,
						variantSummaries);
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
	 * The starter run one way (processed ahead of time, with a CDS archive) against its
	 * reference run the same way, with the targets judged there, and against the modes
	 * run the plain way.
	 * @return the variant's overheads, for the summary
	 */
	private static String printVariant(PrintStream out, Variant variant, Map<String, List<Launch>> results,
			String inconclusive) {
		List<Launch> measured = results.get(variant.mode());
		List<Launch> reference = results.get(variant.reference());
		List<Launch> starter = results.get("starter");
		List<Launch> cloud = results.get("cloud");
		String mode = variant.mode();
		String ref = variant.reference();
		out.println();
		Table table = new Table(variant.title(), ref + " p50", mode + " p50", "p90",
				mode + " - " + ref + ", per round p50", "p25..p75", mode + " - starter (p50)", ref + " - cloud (p50)");
		variantRow(table, variant, "JVM launch -> ready (ms)", results, Launch::ready);
		variantRow(table, variant, "JVM launch -> /actuator/health UP (ms)", results, Launch::healthy);
		variantRow(table, variant, "CPU time of the JVM at ready (ms)", results, Launch::cpu);
		variantRow(table, variant, "RSS at ready (MiB)", results, (launch) -> launch.rssKib() / 1024.0);
		variantRow(table, variant, "loaded classes at ready", results, Launch::classes);
		variantRow(table, variant, "SIGTERM -> JVM exited (ms)", results, Launch::exit);
		table.print(out);
		Targets targets = Targets.of(measured, reference);
		out.println("With " + variant.label() + ", against " + ref + ", the same application without Nacos run the"
				+ " same way:");
		targets.print(out, "Target (" + variant.label() + ")", inconclusive, "");
		out.println(mode + " - starter and " + ref + " - cloud: what " + variant.label()
				+ " saves each (differences of medians; " + starter.size() + " and " + cloud.size() + " launches).");
		return String.format("; with %s, %s - %s: ready %s ms, health UP %s ms, RSS %s MiB, CPU %s ms", variant.label(),
				mode, ref, signed(targets.ready().p50()), signed(targets.health().p50()), signed(targets.rss().p50()),
				signed(targets.cpu().p50()));
	}

	/**
	 * The starter's overheads per round against both references: adjacent launches share
	 * the machine's state, so their differences vary less than the launches do.
	 */
	private static void printOverheads(PrintStream out, List<Launch> cloud, List<Launch> plain, List<Launch> starter,
			String caveat) {
		Table table = new Table("overhead of the starter, per round" + caveat, "vs cloud p50", "p25..p75",
				"vs plain p50", "p25..p75");
		overheadRow(table, "launch -> ready (ms)", cloud, plain, starter, Launch::ready);
		overheadRow(table, "launch -> /actuator/health UP (ms)", cloud, plain, starter, Launch::healthy);
		overheadRow(table, "CPU time at ready (ms)", cloud, plain, starter, Launch::cpu);
		overheadRow(table, "RSS at ready (MiB)", cloud, plain, starter, (launch) -> launch.rssKib() / 1024.0);
		overheadRow(table, "loaded classes at ready", cloud, plain, starter, Launch::classes);
		table.print(out);
	}

	private static void overheadRow(Table table, String name, List<Launch> cloud, List<Launch> plain,
			List<Launch> starter, Function<Launch, Number> quantity) {
		Paired againstCloud = Paired.of(starter, cloud, quantity);
		Paired againstPlain = Paired.of(starter, plain, quantity);
		table.row(name, signed(againstCloud.p50()), againstCloud.range(), signed(againstPlain.p50()),
				againstPlain.range());
	}

	private static void variantRow(Table table, Variant variant, String name, Map<String, List<Launch>> results,
			Function<Launch, Number> quantity) {
		List<Launch> measured = results.get(variant.mode());
		List<Launch> reference = results.get(variant.reference());
		double[] sorted = sorted(measured, quantity);
		Paired againstReference = Paired.of(measured, reference, quantity);
		table.row(name, cell(p50(reference, quantity)), cell(percentile(sorted, 50)), cell(percentile(sorted, 90)),
				signed(againstReference.p50()), againstReference.range(),
				signed(overhead(measured, results.get("starter"), quantity)),
				signed(overhead(reference, results.get("cloud"), quantity)));
	}

	private static void row(Table table, String name, Map<String, List<Launch>> results,
			Function<Launch, Number> quantity) {
		List<Object> cells = new ArrayList<>();
		cells.add(name);
		for (String mode : MODES) {
			double[] sorted = sorted(results.get(mode), quantity);
			cells.add(cell(percentile(sorted, 50)));
			cells.add(cell(percentile(sorted, 90)));
		}
		cells.add(signed(overhead(results.get("starter"), results.get("plain"), quantity)));
		cells.add(signed(overhead(results.get("cloud"), results.get("plain"), quantity)));
		table.row(cells.toArray());
	}

	// A time only some launches have (-1 where it was not seen), with the same median as
	// the main table.
	private static void observed(Table table, String name, List<Launch> launches, Function<Launch, Number> quantity) {
		double[] sorted = values(launches, quantity).stream()
			.mapToDouble(Double::doubleValue)
			.filter((value) -> value >= 0)
			.sorted()
			.toArray();
		table.row(name, sorted.length, cell(percentile(sorted, 50)), cell(percentile(sorted, 99)),
				cell((sorted.length > 0) ? sorted[sorted.length - 1] : Double.NaN));
	}

	private static double overhead(List<Launch> measured, List<Launch> reference, Function<Launch, Number> quantity) {
		return p50(measured, quantity) - p50(reference, quantity);
	}

	private static double p50(List<Launch> launches, Function<Launch, Number> quantity) {
		return percentile(sorted(launches, quantity), 50);
	}

	private static double[] sorted(List<Launch> launches, Function<Launch, Number> quantity) {
		return values(launches, quantity).stream().mapToDouble(Double::doubleValue).sorted().toArray();
	}

	private static List<Double> values(List<Launch> launches, Function<Launch, Number> quantity) {
		return launches.stream().map((launch) -> quantity.apply(launch).doubleValue()).toList();
	}

	// The median of an even count is the mean of the middle two: with the few launches a
	// run affords, nearest rank would make the p50 the better of two.
	private static double percentile(double[] sorted, double percent) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		if (percent == 50 && sorted.length % 2 == 0) {
			return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
		}
		return Stats.percentile(sorted, percent);
	}

	private static String signed(double value) {
		return (value >= 0 ? "+" : "") + cell(value);
	}

	// Counts and KiB without decimals.
	private static String cell(double value) {
		return (!Double.isNaN(value) && Math.rint(value) == value) ? String.valueOf((long) value) : Stats.format(value);
	}

	/**
	 * Committed memory per NMT category, p50 over the counted plain and starter launches,
	 * and the difference.
	 */
	private static void printNativeMemory(PrintStream out, List<Launch> plain, List<Launch> starter) {
		Set<String> categories = new LinkedHashSet<>();
		plain.forEach((launch) -> categories.addAll(launch.nativeMemory().keySet()));
		starter.forEach((launch) -> categories.addAll(launch.nativeMemory().keySet()));
		if (categories.isEmpty()) {
			out.println("No Native Memory Tracking summary was printed by the children.");
			out.println();
			return;
		}
		Table table = new Table("NMT committed at ready (KiB, p50)", "plain", "starter", "starter - plain");
		for (String category : categories) {
			double withoutStarter = percentile(
					sorted(plain, (launch) -> launch.nativeMemory().getOrDefault(category, 0L)), 50);
			double withStarter = percentile(
					sorted(starter, (launch) -> launch.nativeMemory().getOrDefault(category, 0L)), 50);
			String name = switch (category) {
				case "Class" -> "Class (compressed class space)";
				case "Metaspace" -> "Metaspace (other class metadata)";
				case "Other" -> "Other (direct ByteBuffers)";
				default -> category;
			};
			table.row(name, cell(withoutStarter), cell(withStarter), signed(withStarter - withoutStarter));
		}
		table.row("RSS (VmRSS)", cell(p50(plain, Launch::rssKib)), cell(p50(starter, Launch::rssKib)),
				signed(overhead(starter, plain, Launch::rssKib)));
		out.println("Memory breakdown (" + plain.size() + " plain and " + starter.size() + " starter launches; "
				+ "Native Memory Tracking adds its own category and some RSS):");
		out.println();
		table.print(out);
	}

	/**
	 * Runs one child, waits for health UP (and, with the starter, for it to be visible in
	 * Nacos), then stops it with SIGTERM.
	 */
	private static Launch launch(NacosTarget target, String group, String service, String mode, int imports,
			List<String> starterArgs, Map<String, Long> visible, Map<String, Long> gone, boolean profile,
			boolean memory, @Nullable List<String> steps, @Nullable Path archive) throws Exception {
		boolean nacos = withStarter(mode);
		List<String> command = appCommand(target, group, service, mode, imports, starterArgs, profile, memory, archive);
		long launched = System.currentTimeMillis();
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
		try {
			BufferedReader reader = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
			String line;
			String[] ready = null;
			Map<String, Long> nativeMemory = new LinkedHashMap<>();
			while ((line = reader.readLine()) != null) {
				if (line.startsWith("READY ")) {
					ready = line.split(" ");
				}
				else if (line.startsWith("NMT ")) {
					for (String entry : line.substring(4).split(",")) {
						int equals = entry.lastIndexOf('=');
						if (equals > 0 && !entry.startsWith("error=")) {
							nativeMemory.put(entry.substring(0, equals), Long.parseLong(entry.substring(equals + 1)));
						}
					}
				}
				else if (line.startsWith("STEP ") && steps != null && steps.size() < 15) {
					steps.add(line.substring(5));
				}
				else if (line.equals("END")) {
					break;
				}
			}
			if (ready == null || ready.length < 7) {
				throw new IllegalStateException("The application did not start (" + command + ")");
			}
			AtomicInteger timeouts = new AtomicInteger();
			Thread output = countTimeouts(reader, timeouts);
			long healthy = waitForHealthUp(Integer.parseInt(ready[6])) - launched;
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
			return new Launch(Long.parseLong(ready[1]) - launched, healthy, seen, Long.parseLong(ready[2]) / 1_000_000,
					Long.parseLong(ready[3]), Integer.parseInt(ready[4]), Integer.parseInt(ready[5]),
					(exited - signalled) / 1_000_000, (removed != null) ? (removed - signalled) / 1_000_000 : -1,
					timeouts.get(), nativeMemory);
		}
		finally {
			if (process.isAlive()) {
				process.destroyForcibly();
			}
		}
	}

	/**
	 * Records when a service's instance becomes visible to a raw subscriber and when it
	 * leaves its view.
	 */
	private static void watch(NamingService watcher, String service, String group, Map<String, Long> visible,
			Map<String, Long> gone) throws NacosException {
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
	}

	private static boolean withStarter(String mode) {
		return mode.equals("starter") || mode.equals(AOT.mode()) || mode.equals(CDS.mode());
	}

	/**
	 * The command line of one child. The AOT and CDS modes run the application's starter
	 * or cloud mode: as the build processed it, or with the archive, which a training run
	 * records when the file does not exist yet.
	 */
	private static List<String> appCommand(NacosTarget target, String group, String service, String mode, int imports,
			List<String> starterArgs, boolean profile, boolean memory, @Nullable Path archive) {
		boolean aot = mode.startsWith("aot");
		boolean nacos = withStarter(mode);
		List<String> jvmOptions = new ArrayList<>();
		if (memory) {
			jvmOptions.add("-XX:NativeMemoryTracking=summary");
		}
		if (aot) {
			jvmOptions.add("-Dspring.aot.enabled=true");
		}
		if (archive != null && Files.exists(archive)) {
			// -Xshare:on: an archive the JVM cannot map fails the launch rather than
			// letting it run without one unnoticed.
			jvmOptions.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:on"));
		}
		else if (archive != null) {
			// The training run, as Spring Boot documents it.
			jvmOptions.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-Dspring.context.exit=onRefresh"));
		}
		if (archive != null) {
			// CDS's own warnings (classes it cannot archive) are not the benchmark's
			// output.
			jvmOptions.addAll(List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
		}
		List<String> command = new ArrayList<>(mode.equals(AOT.reference())
				? ChildJvm.commandWithClassPathFirst(aotCloudClasses(), jvmOptions.toArray(String[]::new))
				: ChildJvm.command(jvmOptions.toArray(String[]::new)));
		command.add(StartupApp.class.getName());
		command.add("--mode=" + (nacos ? "starter" : mode.equals("plain") ? "plain" : "cloud"));
		if (aot) {
			command.add("--spring.cloud.refresh.enabled=false");
		}
		if (profile) {
			command.add("--profile");
		}
		if (memory) {
			command.add("--memory");
		}
		command.add("--server.port=0");
		command.add("--spring.application.name=" + service);
		command.add("--spring.main.banner-mode=off");
		command.add("--logging.level.root=warn");
		command.add("--spring.jmx.enabled=false");
		command.add("--management.endpoints.web.exposure.include=health");
		if (nacos) {
			target.springProperties().forEach((key, value) -> command.add("--" + key + "=" + value));
			command.add("--spring.cloud.nacos.discovery.group=" + group);
			command.add("--spring.cloud.nacos.discovery.ip=127.0.0.1");
			command.add("--spring.config.import=nacos:" + String.join(";", DATA_IDS.subList(0, imports)) + "?group="
					+ group);
			// For the line that says a deregistration timed out.
			command.add("--logging.level.dev.nacosboot.registry=info");
			if (mode.equals("starter")) {
				// Not to the AOT and CDS modes: the build fixed the AOT mode's beans, and
				// the training run recorded the CDS mode's classes without them.
				command.addAll(starterArgs);
			}
		}
		return command;
	}

	/**
	 * Runs a training run (Spring halts it once the context is refreshed) and checks that
	 * it recorded its archive.
	 */
	private static void train(List<String> command, Path archive) throws Exception {
		Path log = Files.createTempFile("startup-training", ".log");
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			boolean ended = process.waitFor(120, TimeUnit.SECONDS);
			process.destroyForcibly();
			if (!ended || process.exitValue() != 0 || !Files.isRegularFile(archive)) {
				List<String> output = Files.readAllLines(log, StandardCharsets.UTF_8);
				throw new IllegalStateException("The training run "
						+ (ended ? "ended with " + process.exitValue() : "did not end within 120 s") + " and recorded "
						+ (Files.isRegularFile(archive) ? "" : "no ") + "archive (" + command + "); its last lines:\n"
						+ String.join("\n", output.subList(Math.max(0, output.size() - 30), output.size())));
			}
		}
		finally {
			Files.deleteIfExists(log);
		}
	}

	/**
	 * Polls the child's health endpoint until it answers 200 with status UP; returns the
	 * epoch millis of that answer.
	 */
	private static long waitForHealthUp(int port) throws IOException {
		URL url = new URL("http://127.0.0.1:" + port + "/actuator/health");
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		String last = "no answer";
		while (System.nanoTime() < deadline) {
			HttpURLConnection connection = (HttpURLConnection) url.openConnection();
			connection.setConnectTimeout(2000);
			connection.setReadTimeout(10_000);
			try {
				int status = connection.getResponseCode();
				InputStream body = (status < 400) ? connection.getInputStream() : connection.getErrorStream();
				String text = (body != null) ? new String(body.readAllBytes(), StandardCharsets.UTF_8) : "";
				if (status == 200 && text.replace(" ", "").contains("\"status\":\"UP\"")) {
					return System.currentTimeMillis();
				}
				last = status + " " + text;
			}
			catch (IOException ex) {
				last = ex.toString();
			}
			finally {
				connection.disconnect();
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(HEALTH_POLL_MILLIS));
		}
		throw new IllegalStateException("/actuator/health on port " + port + " was not UP within 60 s: " + last);
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

	/**
	 * Where the build put the cloud mode's AOT-processed classes: next to the jar, to
	 * come first on that mode's class path.
	 */
	private static String aotCloudClasses() {
		String jar = System.getProperty("java.class.path").split(File.pathSeparator)[0];
		Path classes = Path.of(jar).toAbsolutePath().resolveSibling("aot-cloud");
		if (!Files.isDirectory(classes)) {
			throw new IllegalStateException(
					"--aot needs " + classes + ", which the benchmarks module's package builds");
		}
		return classes.toString();
	}

	/**
	 * The differences measured - reference of the launches of the same round (each
	 * counted round launches every mode once, so the lists pair by index): their median
	 * and quartiles.
	 */
	private record Paired(double p50, double p25, double p75) {

		static Paired of(List<Launch> measured, List<Launch> reference, Function<Launch, Number> quantity) {
			int rounds = Math.min(measured.size(), reference.size());
			double[] differences = new double[rounds];
			for (int round = 0; round < rounds; round++) {
				differences[round] = quantity.apply(measured.get(round)).doubleValue()
						- quantity.apply(reference.get(round)).doubleValue();
			}
			Arrays.sort(differences);
			return new Paired(percentile(differences, 50), percentile(differences, 25), percentile(differences, 75));
		}

		String range() {
			return "[" + signed(this.p25) + ".." + signed(this.p75) + "]";
		}

		@Override
		public String toString() {
			return signed(this.p50) + " " + range();
		}

	}

	/**
	 * The overheads the targets are set on, per round, of one mode against its reference.
	 */
	private record Targets(Paired ready, Paired health, Paired rss, Paired cpu) {

		static Targets of(List<Launch> measured, List<Launch> reference) {
			return new Targets(Paired.of(measured, reference, Launch::ready),
					Paired.of(measured, reference, Launch::healthy),
					Paired.of(measured, reference, (launch) -> launch.rssKib() / 1024.0),
					Paired.of(measured, reference, Launch::cpu));
		}

		/** One met/missed line per target, each line starting with the label. */
		void print(PrintStream out, String label, String inconclusive, String cpuRemark) {
			out.println(
					label + ": launch -> ready <= +300 ms -> " + ConfigRefreshScenario.verdict(this.ready.p50() <= 300)
							+ " (" + this.ready + " ms" + inconclusive + ")");
			out.println(label + ": launch -> health UP <= +300 ms -> "
					+ ConfigRefreshScenario.verdict(this.health.p50() <= 300) + " (" + this.health + " ms"
					+ inconclusive + ")");
			out.println(label + ": RSS at ready <= +40 MiB -> " + ConfigRefreshScenario.verdict(this.rss.p50() <= 40)
					+ " (" + this.rss + " MiB" + inconclusive + ")");
			out.println(
					label + ": CPU time to ready <= +0.5 s -> " + ConfigRefreshScenario.verdict(this.cpu.p50() <= 500)
							+ " (" + this.cpu + " ms" + inconclusive + cpuRemark + ")");
		}

	}

	/**
	 * A way of running the starter mode and the cloud mode both, judged one against the
	 * other.
	 *
	 * @param mode the starter mode run that way
	 * @param reference the cloud mode run that way
	 * @param title the title of its table
	 * @param label its name in the target lines
	 */
	private record Variant(String mode, String reference, String title, String label) {
	}

	/**
	 * One launch: times from the JVM's launch in ms (visible -1 without the starter),
	 * footprint at ready, SIGTERM -> exited and -> gone from the subscriber (-1 if never
	 * seen), deregistrations that timed out, NMT committed KiB per category (empty
	 * without {@code --memory}).
	 */
	private record Launch(long ready, long healthy, long visible, long cpu, long rssKib, int threads, int classes,
			long exit, long gone, int timeouts, Map<String, Long> nativeMemory) {
	}

}
