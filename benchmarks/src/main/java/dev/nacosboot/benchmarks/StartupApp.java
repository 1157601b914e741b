package dev.nacosboot.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The small web application of the startup scenario, run in a child JVM. With
 * {@code --mode=plain} it starts without any of the starter's or Spring Cloud's
 * auto-configurations and without the Nacos import (the jar stays the same);
 * {@code --mode=cloud} keeps Spring Cloud's and drops only the starter's. Prints
 * {@code READY <epoch millis> <process CPU nanos>} when ready (and with {@code --profile}
 * the slowest startup steps) and runs until its standard input closes.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@RestController
public class StartupApp {

	@GetMapping("/ping")
	String ping() {
		return "pong";
	}

	public static void main(String[] args) throws IOException {
		String mode = "starter";
		boolean profile = false;
		for (String arg : args) {
			if (arg.startsWith("--mode=")) {
				mode = arg.substring("--mode=".length());
			}
			profile |= arg.equals("--profile");
		}
		SpringApplication application = new SpringApplication(StartupApp.class);
		if (mode.equals("plain")) {
			application.setDefaultProperties(java.util.Map.of("spring.autoconfigure.exclude",
					String.join(",", autoConfigurationsOf("dev.nacosboot.", "org.springframework.cloud."))));
		}
		else if (mode.equals("cloud")) {
			application.setDefaultProperties(java.util.Map.of("spring.autoconfigure.exclude",
					String.join(",", autoConfigurationsOf("dev.nacosboot."))));
		}
		BufferingApplicationStartup steps = profile ? new BufferingApplicationStartup(20_000) : null;
		if (steps != null) {
			application.setApplicationStartup(steps);
		}
		application.addListeners((ApplicationReadyEvent event) -> {
			long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
				.getProcessCpuTime();
			System.out.println("READY " + System.currentTimeMillis() + " " + cpu);
			if (steps != null) {
				printSlowestSteps(steps);
				System.out.println("END");
			}
			System.out.flush();
		});
		application.run(args);
		InputStream in = System.in;
		while (in.read() >= 0) {
			// wait for the parent to close our input
		}
		System.exit(0);
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

}
