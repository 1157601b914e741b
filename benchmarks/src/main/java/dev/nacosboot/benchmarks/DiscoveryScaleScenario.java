package dev.nacosboot.benchmarks;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.discovery.NacosInstanceView;

/**
 * 1,000 services x 10 instances, subscribed by the starter's {@link NacosInstanceView}
 * against a raw nacos-client {@code NamingService.subscribe} of the same services:
 * retained heap per instance (heap after GC against the heap after GC with no
 * subscription), {@code getInstances} latency, and the time and allocation of a push that
 * changes every service (a view that copied all services on every push would allocate
 * megabytes per push).
 * <p>
 * The registering client runs in this JVM too, so its allocation is in both columns.
 */
final class DiscoveryScaleScenario implements Scenario {

	@Override
	public String name() {
		return "scale";
	}

	@Override
	public String description() {
		return "1000 services x 10 instances: retained heap, getInstances p99, push to every service vs raw client";
	}

	@Override
	public String run(Options options, PrintStream out) throws Exception {
		int services = options.integer("services", 1000);
		int perService = options.integer("instances", 10);
		int total = services * perService;
		String group = "BENCH_SCALE_" + System.currentTimeMillis();
		String[] names = new String[services];
		for (int s = 0; s < services; s++) {
			names[s] = "scale-svc-" + s;
		}
		try (NacosTarget target = NacosTarget.start(options.integer("push-delay", 0))) {
			NamingService provider = target.namingService();
			try {
				registerAll(provider, group, names, perService, 0);

				// Reference: the raw client.
				long base = heapAfterGc();
				NamingService raw = target.namingService();
				Map<String, Integer> rawRevision = new ConcurrentHashMap<>();
				for (String name : names) {
					raw.subscribe(name, group, (event) -> {
						if (event instanceof NamingEvent naming && naming.getInstances().size() == perService) {
							rawRevision.put(name, revisionOf(naming.getInstances().get(0)));
						}
					});
				}
				awaitTrue(() -> rawRevision.size() == services && !rawRevision.containsValue(-1), 120);
				long rawHeap = heapAfterGc() - base;
				Stats rawLatency = latency(services, (s) -> {
					try {
						return raw.getAllInstances(names[s], group, true);
					}
					catch (Exception ex) {
						throw new IllegalStateException(ex);
					}
				});
				double[] rawPush = pushAll(provider, group, names, perService, 1,
						() -> rawRevision.values().stream().allMatch((r) -> r == 1));
				raw.shutDown();

				// The starter's view, on a client of its own.
				long base2 = heapAfterGc();
				NamingService client = target.namingService();
				AtomicLong changes = new AtomicLong();
				NacosInstanceView view = new NacosInstanceView(client, List.of(group), true,
						(event) -> changes.incrementAndGet());
				for (String name : names) {
					view.getInstances(name);
				}
				awaitTrue(() -> {
					for (String name : names) {
						if (view.getInstances(name).size() != perService) {
							return false;
						}
					}
					return true;
				}, 120);
				long viewHeap = heapAfterGc() - base2;
				Stats viewLatency = latency(services, (s) -> view.getInstances(names[s]));
				long before = changes.get();
				double[] viewPush = pushAll(provider, group, names, perService, 1 + 1,
						() -> changes.get() - before >= services);
				view.destroy();
				client.shutDown();

				out.println("Server: " + target.describe() + "; " + services + " services x " + perService
						+ " instances = " + total + " instances; heap is used heap after System.gc(), "
						+ "per instance subscribed.");
				out.println();
				Table heap = new Table("retained heap", "raw nacos-client (reference)", "starter view + its client",
						"ratio");
				heap.row("bytes per instance", (double) rawHeap / total, (double) viewHeap / total,
						(double) viewHeap / rawHeap);
				heap.row("MB for all", rawHeap / 1048576.0, viewHeap / 1048576.0, (double) viewHeap / rawHeap);
				heap.print(out);
				Table reads = new Table("getInstances (us), random service", "n", "p50", "p99", "max");
				reads.stats("raw NamingService.getAllInstances(subscribed) (reference)", rawLatency);
				reads.stats("NacosInstanceView.getInstances", viewLatency);
				reads.print(out);
				Table push = new Table("push changing every service", "raw nacos-client (reference)", "starter view",
						"ratio");
				push.row("first re-register -> all " + services + " seen (ms)", rawPush[0], viewPush[0],
						viewPush[0] / rawPush[0]);
				push.row("allocated in this JVM per changed service (KB)", rawPush[1] / 1024, viewPush[1] / 1024,
						viewPush[1] / rawPush[1]);
				push.print(out);
				out.println(
						"Target: getInstances p99 <= 50 us -> " + ConfigRefreshScenario.verdict(viewLatency.p99() <= 50)
								+ "; no full copy of all services per push -> "
								+ ConfigRefreshScenario.verdict(viewPush[1] < 10 * rawPush[1] + 64 * 1024)
								+ " (a copy of every service per push would allocate about "
								+ Stats.format((double) viewHeap / 1024) + " KB per changed service).");
				out.println();
				return String.format("scale: %s bytes/instance retained, getInstances p99 %s us (raw client: %s "
						+ "bytes/instance, ratio %s; raw getAllInstances p99 %s us); push to all %d services %s KB "
						+ "allocated per service (raw %s)", Stats.format((double) viewHeap / total),
						Stats.format(viewLatency.p99()), Stats.format((double) rawHeap / total),
						Stats.format((double) viewHeap / rawHeap), Stats.format(rawLatency.p99()), services,
						Stats.format(viewPush[1] / 1024), Stats.format(rawPush[1] / 1024));
			}
			finally {
				provider.shutDown();
			}
		}
	}

	private static void registerAll(NamingService provider, String group, String[] names, int perService, int revision)
			throws Exception {
		for (int s = 0; s < names.length; s++) {
			List<Instance> instances = new ArrayList<>(perService);
			for (int i = 0; i < perService; i++) {
				Instance instance = new Instance();
				instance.setIp("10." + (s / 250) + "." + (s % 250) + "." + (i + 1));
				instance.setPort(8080);
				instance.setWeight(1 + (i % 3));
				instance.setEphemeral(true);
				instance.setMetadata(Map.of("version", (i == 0) ? "v2" : "v1", "rev", String.valueOf(revision), "zone",
						"zone-" + (i % 3)));
				instances.add(instance);
			}
			provider.batchRegisterInstance(names[s], group, instances);
		}
	}

	/**
	 * Re-registers every service with a new revision; returns {ms until all seen, bytes
	 * allocated per service}.
	 */
	private static double[] pushAll(NamingService provider, String group, String[] names, int perService, int revision,
			BooleanSupplier allSeen) throws Exception {
		long allocated = allocatedBytes();
		long start = System.nanoTime();
		registerAll(provider, group, names, perService, revision);
		awaitTrue(allSeen, 120);
		long elapsed = System.nanoTime() - start;
		return new double[] { ConfigRefreshScenario.ms(elapsed),
				(double) (allocatedBytes() - allocated) / names.length };
	}

	private static int revisionOf(Instance instance) {
		String revision = instance.getMetadata().get("rev");
		return (revision != null) ? Integer.parseInt(revision) : -1;
	}

	private static Stats latency(int services, IntFunction<List<?>> read) {
		SplittableRandom random = new SplittableRandom(42);
		int warmup = 300_000;
		int measured = 300_000;
		double[] samples = new double[measured];
		long sink = 0;
		for (int i = 0; i < warmup + measured; i++) {
			int service = random.nextInt(services);
			long start = System.nanoTime();
			sink += read.apply(service).size();
			long elapsed = System.nanoTime() - start;
			if (i >= warmup) {
				samples[i - warmup] = elapsed / 1000.0;
			}
		}
		if (sink == 42) {
			System.out.print("");
		}
		return Stats.of(samples);
	}

	private static void awaitTrue(BooleanSupplier condition, int seconds) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Timed out after " + seconds + " s");
			}
			LockSupport.parkNanos(2_000_000);
		}
	}

	static long heapAfterGc() throws InterruptedException {
		for (int i = 0; i < 3; i++) {
			System.gc();
			Thread.sleep(200);
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	private static long allocatedBytes() {
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
		long sum = 0;
		for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
			if (bytes > 0) {
				sum += bytes;
			}
		}
		return sum;
	}

}
