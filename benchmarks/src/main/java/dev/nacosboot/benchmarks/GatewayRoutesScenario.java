package dev.nacosboot.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.alibaba.nacos.api.common.Constants;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.AbstractFuzzyWatchEventWatcher;
import com.alibaba.nacos.api.naming.listener.FuzzyWatchChangeEvent;
import com.alibaba.nacos.api.naming.pojo.Instance;
import com.sun.net.httpserver.HttpServer;

/**
 * A service registered for the first time -> the first answer through Spring Cloud
 * Gateway's discovery-locator route {@code /<service-id>/**}, and its last instance
 * deregistered -> the route gone (404), against the raw client's fuzzy-watch callback
 * (ADD_SERVICE / DELETE_SERVICE) in the same run. The gateway is a real one in a child
 * JVM ({@link GatewayApp}); the provider is a small HTTP server in this JVM; every time
 * is taken here. Each cycle registers a service the gateway has never seen, so the first
 * answer includes creating its load-balancer client, as for a user.
 */
final class GatewayRoutesScenario implements Scenario {

	private static final int WARMUP = 3;

	private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(30);

	private static final long POLL = TimeUnit.MILLISECONDS.toNanos(2);

	@Override
	public String name() {
		return "gateway-routes";
	}

	@Override
	public String description() {
		return "new service -> first answer through Spring Cloud Gateway's discovery route vs raw fuzzy-watch callback";
	}

	@Override
	public String run(Options options, PrintStream out) throws Exception {
		int cycles = options.count("cycles", 20);
		String group = "BENCH_GW_" + System.currentTimeMillis();
		HttpServer provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
		provider.createContext("/", (exchange) -> {
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		provider.start();
		try (NacosTarget target = NacosTarget.start(options.integer("push-delay", 0))) {
			NamingService raw = target.namingService();
			NamingService providers = target.namingService();
			Map<String, Long> rawAdded = new ConcurrentHashMap<>();
			Map<String, Long> rawDeleted = new ConcurrentHashMap<>();
			raw.fuzzyWatch("*", group, new AbstractFuzzyWatchEventWatcher() {

				@Override
				public void onEvent(FuzzyWatchChangeEvent event) {
					long now = System.nanoTime();
					if (Constants.ServiceChangedType.ADD_SERVICE.equals(event.getChangeType())) {
						rawAdded.putIfAbsent(event.getServiceName(), now);
					}
					else if (Constants.ServiceChangedType.DELETE_SERVICE.equals(event.getChangeType())) {
						rawDeleted.putIfAbsent(event.getServiceName(), now);
					}
				}

			});
			Process gateway = startGateway(target, group);
			try {
				int port = awaitReady(gateway);
				HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
				List<Double> rawAdd = new ArrayList<>();
				List<Double> routed = new ArrayList<>();
				List<Double> answered = new ArrayList<>();
				List<Double> overAdd = new ArrayList<>();
				List<Double> rawRemove = new ArrayList<>();
				List<Double> removed = new ArrayList<>();
				List<Double> overRemove = new ArrayList<>();
				int missed = 0;
				String prefix = "bench-gw-" + Long.toString(System.currentTimeMillis() % 1_000_000, 36) + "-";
				for (int cycle = 0; cycle < WARMUP + cycles; cycle++) {
					String service = prefix + cycle;
					URI uri = URI.create("http://127.0.0.1:" + port + "/" + service + "/hello");
					Instance instance = new Instance();
					instance.setIp("127.0.0.1");
					instance.setPort(provider.getAddress().getPort());
					long registered = System.nanoTime();
					providers.registerInstance(service, group, instance);
					long[] firstAnswer = pollUntil(http, uri, 200, registered);
					long deregistered = System.nanoTime();
					providers.deregisterInstance(service, group, instance);
					long[] gone = pollUntil(http, uri, 404, deregistered);
					Long rawAt = awaitRaw(rawAdded, service, registered);
					Long rawGoneAt = awaitRaw(rawDeleted, service, deregistered);
					if (firstAnswer == null || gone == null || rawAt == null || rawGoneAt == null) {
						missed++;
					}
					else if (cycle >= WARMUP) {
						rawAdd.add(ConfigRefreshScenario.ms(rawAt - registered));
						routed.add(ConfigRefreshScenario.ms(firstAnswer[0] - registered));
						answered.add(ConfigRefreshScenario.ms(firstAnswer[1] - registered));
						overAdd.add(ConfigRefreshScenario.ms(firstAnswer[1] - rawAt));
						rawRemove.add(ConfigRefreshScenario.ms(rawGoneAt - deregistered));
						removed.add(ConfigRefreshScenario.ms(gone[1] - deregistered));
						overRemove.add(ConfigRefreshScenario.ms(gone[1] - rawGoneAt));
					}
				}
				out.println("Server: " + target.describe() + "; gateway in a child JVM; " + cycles
						+ " new services, each registered then deregistered (after " + WARMUP
						+ " warm-up ones); the gateway is asked every 2 ms; missed: " + missed + ".");
				out.println();
				Table latency = new Table("change -> seen (ms)", "n", "p50", "p90", "p99", "max");
				row(latency, "register -> raw fuzzy-watch ADD_SERVICE (reference)", rawAdd);
				row(latency, "register -> gateway has the route (first answer that is not 404)", routed);
				row(latency, "register -> first answer through the route", answered);
				row(latency, "deregister -> raw fuzzy-watch DELETE_SERVICE (reference)", rawRemove);
				row(latency, "deregister -> route gone (first 404)", removed);
				latency.print(out);
				Table overhead = new Table("over the raw callback, per change (ms)", "n", "p50", "p90", "p99", "max");
				row(overhead, "new service: first answer", overAdd);
				row(overhead, "removed service: route gone", overRemove);
				overhead.print(out);
				double p90 = p90(overAdd);
				out.println("Target: p90 of the first answer <= raw callback + 200 ms -> "
						+ ConfigRefreshScenario.verdict(p90 <= 200) + " (+" + Stats.format(p90) + " ms).");
				out.println();
				Stats reference = Stats.of(rawAdd);
				return String.format(
						"gateway-routes: %s ms p90 register->first answer through the discovery route, +%s ms p90 over "
								+ "the raw fuzzy-watch callback (%s ms p50); route gone %s ms p50 after deregister",
						Stats.format(p90(answered)), Stats.format(p90), Stats.format(reference.p50()),
						Stats.format(Stats.of(removed).p50()));
			}
			finally {
				gateway.destroy();
				if (!gateway.waitFor(10, TimeUnit.SECONDS)) {
					gateway.destroyForcibly();
				}
				providers.shutDown();
				raw.shutDown();
			}
		}
		finally {
			provider.stop(0);
		}
	}

	private static Process startGateway(NacosTarget target, String group) throws IOException {
		Path jar = Path.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)[0]).toAbsolutePath();
		Path lib = jar.getParent().resolve("gateway-lib");
		if (!Files.isDirectory(lib)) {
			throw new IOException("No " + lib + ": build the benchmarks with 'package' (it copies the gateway's jars)");
		}
		List<String> command = ChildJvm.command("-Xmx384m");
		int classPath = command.indexOf("-cp") + 1;
		command.set(classPath,
				command.get(classPath) + java.io.File.pathSeparator + lib + java.io.File.separator + "*");
		command.add(GatewayApp.class.getName());
		Map<String, Object> properties = Apps.common(target);
		properties.put("spring.application.name", "bench-gateway");
		properties.put("server.port", "0");
		properties.put("spring.cloud.nacos.discovery.group", group);
		properties.put("spring.cloud.nacos.discovery.register-enabled", "false");
		properties.put("spring.cloud.nacos.config.enabled", "false");
		properties.put("spring.cloud.gateway.server.webflux.discovery.locator.enabled", "true");
		properties.forEach((name, value) -> command.add("--" + name + "=" + value));
		return new ProcessBuilder(command).redirectErrorStream(true).start();
	}

	private static int awaitReady(Process gateway) throws IOException {
		BufferedReader reader = new BufferedReader(
				new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
		List<String> lines = new ArrayList<>();
		String line;
		while ((line = reader.readLine()) != null) {
			int at = line.indexOf(GatewayApp.READY);
			if (at >= 0) {
				ChildJvm.drain(reader);
				return Integer.parseInt(line.substring(at + GatewayApp.READY.length()).trim());
			}
			lines.add(line);
		}
		throw new IOException("The gateway exited before it was ready:\n" + String.join("\n", lines));
	}

	/**
	 * Asks until the gateway answers with the status.
	 * @return start of the first call whose answer was not the other outcome (404 while
	 * waiting for 200, 2xx/5xx while waiting for 404) and end of the first call that
	 * answered the status; {@code null} on timeout
	 */
	private static long[] pollUntil(HttpClient http, URI uri, int status, long since) {
		long deadline = since + TIMEOUT;
		long changed = 0;
		HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();
		while (System.nanoTime() < deadline) {
			long start = System.nanoTime();
			int answer;
			try {
				answer = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
			}
			catch (IOException ex) {
				answer = -1;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return null;
			}
			long end = System.nanoTime();
			boolean stillBefore = (status == 200) ? answer == 404 : answer != 404;
			if (!stillBefore && changed == 0) {
				changed = start;
			}
			if (answer == status) {
				return new long[] { changed, end };
			}
			LockSupport.parkNanos(POLL);
		}
		return null;
	}

	private static Long awaitRaw(Map<String, Long> seen, String service, long since) {
		long deadline = since + TIMEOUT;
		while (System.nanoTime() < deadline) {
			Long at = seen.get(service);
			if (at != null) {
				return at;
			}
			LockSupport.parkNanos(POLL);
		}
		return null;
	}

	private static void row(Table table, String name, List<Double> values) {
		Stats stats = Stats.of(values);
		table.row(name, stats.count(), stats.p50(), p90(values), stats.p99(), stats.max());
	}

	private static double p90(List<Double> values) {
		double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		return (sorted.length == 0) ? Double.NaN : Stats.percentile(sorted, 90);
	}

}
