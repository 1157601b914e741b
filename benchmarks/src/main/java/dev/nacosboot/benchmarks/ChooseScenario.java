package dev.nacosboot.benchmarks;

import java.io.PrintStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link ChooseBenchmark} through JMH's Runner API (one fork per case) and prints
 * throughput and allocation per operation next to the round-robin reference.
 */
final class ChooseScenario implements Scenario {

	@Override
	public String name() {
		return "choose";
	}

	@Override
	public String description() {
		return "JMH: choose() of the gray balancer with 10/100/1000 instances, weights, 10% canary vs RoundRobinLoadBalancer over Spring Cloud's default chain";
	}

	@Override
	public String run(Options options, PrintStream out) throws Exception {
		int seconds = options.isLong() ? 5 : 1;
		int iterations = options.isLong() ? 5 : 3;
		OptionsBuilder builder = new OptionsBuilder();
		builder.include(ChooseBenchmark.class.getName() + "\\.")
			.forks(options.integer("forks", 1))
			.warmupIterations(iterations)
			.warmupTime(TimeValue.seconds(seconds))
			.measurementIterations(iterations + 2)
			.measurementTime(TimeValue.seconds(seconds))
			.addProfiler(GCProfiler.class)
			.jvmArgsAppend("-Xmx512m")
			.verbosity(options.flag("verbose") ? VerboseMode.NORMAL : VerboseMode.SILENT);
		Collection<RunResult> results = new Runner(builder.build()).run();
		List<String> methods = List.of("gray", "grayZonePreference", "roundRobin", "roundRobinPushFed");
		Map<String, double[]> byCase = new LinkedHashMap<>();
		for (RunResult result : results) {
			String benchmark = result.getParams().getBenchmark();
			String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
			String instances = result.getParams().getParam("instances");
			Result<?> primary = result.getPrimaryResult();
			Result<?> allocation = result.getSecondaryResults().get("gc.alloc.rate.norm");
			double[] row = byCase.computeIfAbsent(instances, (key) -> {
				double[] empty = new double[methods.size() * 3];
				java.util.Arrays.fill(empty, Double.NaN);
				return empty;
			});
			int offset = methods.indexOf(method) * 3;
			row[offset] = primary.getScore();
			row[offset + 1] = primary.getScoreError();
			row[offset + 2] = (allocation != null) ? allocation.getScore() : Double.NaN;
		}
		out.println("JMH " + iterations + " warm-up + " + (iterations + 2) + " measured iterations of " + seconds
				+ " s, 1 fork, 1 thread; throughput in operations per microsecond (higher is better), +- the 99.9 % "
				+ "confidence half-width; B/op from JMH's GC profiler. gray: the starter's default chain (the push-fed "
				+ "supplier); gray zone-preference: Spring Cloud's zone-preference supplier over it; RoundRobin: "
				+ "Spring Cloud's default chain (Nacos discovery client + cache), the reference; RoundRobin push-fed: "
				+ "round-robin over the push-fed supplier.");
		out.println();
		Table table = new Table("instances", "gray ops/us", "+-", "B/op", "gray zone-pref. ops/us", "+-", "B/op",
				"RoundRobin ops/us (reference)", "+-", "B/op", "RoundRobin push-fed ops/us", "+-", "B/op",
				"gray / RoundRobin", "gray zone-pref. / RoundRobin");
		for (Map.Entry<String, double[]> entry : byCase.entrySet()) {
			double[] r = entry.getValue();
			table.row(entry.getKey(), r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
					r[0] / r[6], r[3] / r[6]);
		}
		table.print(out);
		double[] small = byCase.get("10");
		double[] large = byCase.get("1000");
		double flat = large[0] / small[0];
		double worstRatio = Double.MAX_VALUE;
		for (double[] r : byCase.values()) {
			worstRatio = Math.min(worstRatio, r[0] / r[6]);
		}
		out.println("Target: at least as fast as RoundRobin with Spring Cloud's default chain -> "
				+ ConfigRefreshScenario.verdict(worstRatio >= 1.0) + " (worst ratio " + Stats.format(worstRatio)
				+ "); flat from 10 to 1000 instances -> " + ConfigRefreshScenario.verdict(flat >= 0.8)
				+ " (1000/10 throughput " + Stats.format(flat) + ").");
		out.println();
		return String.format(
				"choose: %s ops/us with 1000 instances, %s with 10 (RoundRobin over Spring Cloud's default chain %s / "
						+ "%s ops/us, ratio %s / %s); %s B/op (RoundRobin %s)",
				Stats.format(large[0]), Stats.format(small[0]), Stats.format(large[6]), Stats.format(small[6]),
				Stats.format(large[0] / large[6]), Stats.format(small[0] / small[6]), Stats.format(large[2]),
				Stats.format(large[8]));
	}

}
