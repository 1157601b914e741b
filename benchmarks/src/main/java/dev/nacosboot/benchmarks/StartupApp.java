package dev.nacosboot.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.ObjectName;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectFactory;
import org.springframework.beans.factory.config.Scope;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * The small web application of the startup scenario, run in a child JVM: web, Actuator
 * (health exposed), a {@code @LoadBalanced RestClient.Builder}, one
 * {@code @ConfigurationProperties} class bound from the imported data id, one
 * {@code @RefreshScope} bean and, with the starter, the Nacos import and registration.
 * <ul>
 * <li>{@code --mode=plain}: without any of the starter's or Spring Cloud's
 * auto-configurations and without the import (the jar stays the same); the properties the
 * data id would bring are local defaults, and a stand-in {@code refresh} scope keeps the
 * {@code @RefreshScope} bean working.</li>
 * <li>{@code --mode=cloud}: Spring Cloud's auto-configurations, not the starter's; local
 * properties as in plain; with Spring Cloud's refresh scope off (for AOT), the stand-in
 * scope of plain.</li>
 * <li>{@code --mode=starter}: everything; the properties come from the import given on
 * the command line.</li>
 * </ul>
 * When ready it prints {@code READY <epoch millis> <process CPU nanos> <RSS KiB> <live
 * threads> <loaded classes> <HTTP port>}, then with {@code --memory} (and
 * {@code -XX:NativeMemoryTracking=summary}) an {@code NMT category=committed KiB,...}
 * line, with {@code --profile} the slowest startup steps, then {@code END}; it runs until
 * its standard input closes.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableConfigurationProperties(StartupApp.StartupProperties.class)
@RestController
public class StartupApp {

	/** What the plain and cloud modes have locally instead of the imported data id. */
	static final Map<String, Object> LOCAL_PROPERTIES = Map.of("bench.a", "1", "bench.shared", "a");

	/** The content of the imported data id in starter mode (the same keys). */
	static final String IMPORTED_CONTENT = "bench.a=1\nbench.shared=a\n";

	private final StartupProperties properties;

	private final Greeting greeting;

	StartupApp(StartupProperties properties, Greeting greeting) {
		this.properties = properties;
		this.greeting = greeting;
	}

	@GetMapping("/ping")
	String ping() {
		return "pong " + this.properties.getA() + " " + this.greeting.text();
	}

	@Bean
	@RefreshScope
	Greeting greeting(StartupProperties properties) {
		return new Greeting("hello " + properties.getShared());
	}

	@Bean
	@LoadBalanced
	RestClient.Builder loadBalancedRestClientBuilder() {
		return RestClient.builder();
	}

	public static void main(String[] args) throws Exception {
		String mode = "starter";
		boolean profile = false;
		boolean memory = false;
		boolean cloudRefresh = true;
		for (String arg : args) {
			if (arg.startsWith("--mode=")) {
				mode = arg.substring("--mode=".length());
			}
			profile |= arg.equals("--profile");
			memory |= arg.equals("--memory");
			cloudRefresh &= !arg.equals("--spring.cloud.refresh.enabled=false");
		}
		SpringApplication application = new SpringApplication(StartupApp.class);
		Map<String, Object> defaults = new LinkedHashMap<>();
		if (mode.equals("plain")) {
			defaults.putAll(LOCAL_PROPERTIES);
			defaults.put("spring.autoconfigure.exclude",
					String.join(",", autoConfigurationsOf("dev.nacosboot.", "org.springframework.cloud.")));
			// Spring Cloud's refresh scope is off with its auto-configurations.
			application
				.addInitializers((context) -> context.getBeanFactory().registerScope("refresh", new SimpleScope()));
		}
		else if (mode.equals("cloud")) {
			defaults.putAll(LOCAL_PROPERTIES);
			defaults.put("spring.autoconfigure.exclude", String.join(",", autoConfigurationsOf("dev.nacosboot.")));
			if (!cloudRefresh) {
				// Processed ahead of time, which Spring Cloud's refresh scope does not
				// support.
				application
					.addInitializers((context) -> context.getBeanFactory().registerScope("refresh", new SimpleScope()));
			}
		}
		application.setDefaultProperties(defaults);
		BufferingApplicationStartup steps = profile ? new BufferingApplicationStartup(20_000) : null;
		if (steps != null) {
			application.setApplicationStartup(steps);
		}
		boolean nativeMemory = memory;
		application.addListeners((ApplicationReadyEvent event) -> {
			long now = System.currentTimeMillis();
			long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
				.getProcessCpuTime();
			long rss = residentSetKib();
			int threads = ManagementFactory.getThreadMXBean().getThreadCount();
			int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
			String port = event.getApplicationContext().getEnvironment().getProperty("local.server.port", "-1");
			System.out.println("READY " + now + " " + cpu + " " + rss + " " + threads + " " + classes + " " + port);
			System.out.flush();
			if (nativeMemory) {
				System.out.println("NMT " + nativeMemoryCommitted());
			}
			if (steps != null) {
				printSlowestSteps(steps);
			}
			System.out.println("END");
			System.out.flush();
		});
		application.run(args);
		InputStream in = System.in;
		while (in.read() >= 0) {
			// wait for the parent to close our input
		}
		System.exit(0);
	}

	/** VmRSS of this process in KiB (-1 where there is no /proc). */
	static long residentSetKib() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("VmRSS:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", ""));
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// not Linux
		}
		return -1;
	}

	private static final Pattern CATEGORY = Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)");

	private static final Pattern RESERVED_COMMITTED = Pattern.compile("reserved=\\d+KB, committed=(\\d+)KB");

	/**
	 * NMT's summary (the VM's {@code VM.native_memory summary} command, run through the
	 * DiagnosticCommand MBean, so no jcmd and no attach): committed KiB per category as
	 * {@code Total=..,Java Heap=..,Class=..,...} (on Java 17 "Class" is the compressed
	 * class space and "Metaspace" the rest of the class metadata).
	 */
	static String nativeMemoryCommitted() {
		String summary;
		try {
			summary = (String) ManagementFactory.getPlatformMBeanServer()
				.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
						new Object[] { new String[] { "summary", "scale=KB" } },
						new String[] { String[].class.getName() });
		}
		catch (Exception ex) {
			return "error=" + ex.getClass().getSimpleName();
		}
		Map<String, String> committed = new LinkedHashMap<>();
		for (String line : summary.split("\n")) {
			if (line.startsWith("Total:")) {
				Matcher total = RESERVED_COMMITTED.matcher(line);
				if (total.find()) {
					committed.put("Total", total.group(1));
				}
			}
			Matcher category = CATEGORY.matcher(line);
			if (category.find()) {
				committed.put(category.group(1).trim(), category.group(2));
			}
		}
		if (committed.isEmpty()) {
			return "error=NativeMemoryTracking is off";
		}
		StringBuilder line = new StringBuilder();
		committed
			.forEach((name, kib) -> line.append((line.length() > 0) ? "," : "").append(name).append('=').append(kib));
		return line.toString();
	}

	/**
	 * The slowest bean instantiations and startup phases (time includes nested steps).
	 */
	private static void printSlowestSteps(BufferingApplicationStartup steps) {
		List<StartupTimeline.TimelineEvent> events = new ArrayList<>(steps.getBufferedTimeline().getEvents());
		events.sort(Comparator.comparing(StartupTimeline.TimelineEvent::getDuration).reversed());
		events.stream().limit(40).forEach((event) -> {
			StringBuilder tags = new StringBuilder();
			event.getStartupStep()
				.getTags()
				.forEach((tag) -> tags.append(' ')
					.append(tag.getKey())
					.append('=')
					.append(tag.getValue().length() > 90 ? tag.getValue().substring(0, 90) : tag.getValue()));
			System.out
				.println("STEP " + event.getDuration().toMillis() + " ms " + event.getStartupStep().getName() + tags);
		});
	}

	private static Set<String> autoConfigurationsOf(String... packages) throws IOException {
		Set<String> names = new LinkedHashSet<>();
		Enumeration<URL> resources = StartupApp.class.getClassLoader()
			.getResources("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports");
		while (resources.hasMoreElements()) {
			try (InputStream in = resources.nextElement().openStream()) {
				for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
					String name = line.trim();
					for (String prefix : packages) {
						if (name.startsWith(prefix)) {
							names.add(name);
						}
					}
				}
			}
		}
		return names;
	}

	/**
	 * Settings the application binds from the imported data id.
	 */
	@ConfigurationProperties("bench")
	public static class StartupProperties {

		/**
		 * A number from the data id.
		 */
		private int a;

		/**
		 * A text from the data id, used by the refresh-scoped greeting.
		 */
		private String shared = "";

		public int getA() {
			return this.a;
		}

		public void setA(int a) {
			this.a = a;
		}

		public String getShared() {
			return this.shared;
		}

		public void setShared(String shared) {
			this.shared = shared;
		}

	}

	/**
	 * The {@code @RefreshScope} bean: rebuilt from the properties after a refresh.
	 */
	public static class Greeting {

		private final String text;

		Greeting(String text) {
			this.text = text;
		}

		public String text() {
			return this.text;
		}

	}

	/**
	 * A stand-in for Spring Cloud's refresh scope in plain mode: one instance per name,
	 * never refreshed.
	 */
	private static final class SimpleScope implements Scope {

		private final Map<String, Object> instances = new ConcurrentHashMap<>();

		@Override
		public Object get(String name, ObjectFactory<?> objectFactory) {
			Object instance = this.instances.get(name);
			if (instance == null) {
				instance = objectFactory.getObject();
				this.instances.put(name, instance);
			}
			return instance;
		}

		@Override
		public @Nullable Object remove(String name) {
			return this.instances.remove(name);
		}

		@Override
		public void registerDestructionCallback(String name, Runnable callback) {
		}

		@Override
		public @Nullable Object resolveContextualObject(String key) {
			return null;
		}

		@Override
		public @Nullable String getConversationId() {
			return null;
		}

	}

}
