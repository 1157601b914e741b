package dev.nacosboot.testserver;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * Runs the test server on its own, for a person or any Nacos client to use:
 * {@code java -jar nacos-test-server-<version>.jar --port=8848}. Prints one line,
 * {@code nacos-test-server ready on <host>:<port>}, once clients can connect, and stops
 * cleanly on SIGTERM.
 */
public final class NacosTestServerMain {

	private static final String USAGE = """
			Usage: java -jar nacos-test-server.jar [options]
			  --port=N               HTTP port (default 8848); gRPC listens on N + 1000; 0 picks free ports
			  --host=ADDRESS         address to bind (default 127.0.0.1)
			  --user=NAME:PASSWORD   turn auth on and add a user (repeatable)
			  --token-ttl=SECONDS    lifetime of issued access tokens (default 18000)
			  --push-delay=MILLIS    delay and merge naming pushes as a real Nacos does (it waits 500; default 0)
			  --config=GROUP/DATA_ID=FILE
			                         seed a config in the public namespace from a file (repeatable)
			  --config-dir=DIR       seed every file DIR/GROUP/DATA_ID (files directly in DIR: DEFAULT_GROUP)
			  --help                 print this help
			""";

	private NacosTestServerMain() {
	}

	public static void main(String[] args) throws InterruptedException {
		NacosTestServer server;
		try {
			server = parse(args).build();
		}
		catch (IllegalArgumentException ex) {
			System.err.println("nacos-test-server: " + ex.getMessage());
			System.err.print(USAGE);
			System.exit(2);
			return;
		}
		if (server == null) {
			System.out.print(USAGE);
			return;
		}
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			server.close();
			stopped.countDown();
		}, "nacos-test-server-shutdown"));
		server.start();
		PrintStream out = System.out;
		out.println("nacos-test-server ready on " + server.serverAddr());
		out.flush();
		stopped.await();
	}

	/**
	 * Reads the command line into a builder, or returns {@code null} for {@code --help}.
	 */
	static NacosTestServer.Builder parse(String[] args) {
		NacosTestServer.Builder builder = NacosTestServer.builder().port(8848);
		for (String arg : args) {
			if (arg.equals("--help") || arg.equals("-h")) {
				return null;
			}
			int eq = arg.indexOf('=');
			if (!arg.startsWith("--") || eq < 0) {
				throw new IllegalArgumentException("unknown argument '" + arg + "'");
			}
			String name = arg.substring(2, eq);
			String value = arg.substring(eq + 1);
			switch (name) {
				case "port" -> builder.port(integer(name, value));
				case "host" -> builder.host(value);
				case "user" -> {
					int colon = value.indexOf(':');
					if (colon <= 0) {
						throw new IllegalArgumentException("--user must be NAME:PASSWORD, was '" + value + "'");
					}
					builder.user(value.substring(0, colon), value.substring(colon + 1));
				}
				case "token-ttl" -> builder.tokenTtl(Duration.ofSeconds(integer(name, value)));
				case "push-delay" -> builder.pushDelay(Duration.ofMillis(integer(name, value)));
				case "config" -> seedOne(builder, value);
				case "config-dir" -> seedDirectory(builder, Path.of(value));
				default -> throw new IllegalArgumentException("unknown option '--" + name + "'");
			}
		}
		return builder;
	}

	private static void seedOne(NacosTestServer.Builder builder, String spec) {
		int eq = spec.indexOf('=');
		int slash = spec.indexOf('/');
		if (eq < 0 || slash < 0 || slash > eq) {
			throw new IllegalArgumentException("--config must be GROUP/DATA_ID=FILE, was '" + spec + "'");
		}
		seed(builder, spec.substring(0, slash), spec.substring(slash + 1, eq), Path.of(spec.substring(eq + 1)));
	}

	private static void seedDirectory(NacosTestServer.Builder builder, Path dir) {
		if (!Files.isDirectory(dir)) {
			throw new IllegalArgumentException("--config-dir " + dir + " is not a directory");
		}
		try (Stream<Path> files = Files.walk(dir, 2)) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				Path relative = dir.relativize(file);
				String group = (relative.getNameCount() == 2) ? relative.getName(0).toString() : null;
				seed(builder, group, file.getFileName().toString(), file);
			}
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("cannot read --config-dir " + dir + ": " + ex.getMessage());
		}
	}

	private static void seed(NacosTestServer.Builder builder, String group, String dataId, Path file) {
		try {
			String content = Files.readString(file, StandardCharsets.UTF_8);
			builder.config(null, group, dataId, content, typeOf(dataId));
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("cannot read config file " + file + ": " + ex.getMessage());
		}
	}

	private static String typeOf(String dataId) {
		String extension = dataId.substring(dataId.lastIndexOf('.') + 1).toLowerCase();
		return switch (extension) {
			case "yaml", "yml" -> "yaml";
			case "properties", "json", "xml", "html" -> extension;
			default -> "text";
		};
	}

	private static int integer(String name, String value) {
		try {
			return Integer.parseInt(value);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("--" + name + " must be a number, was '" + value + "'");
		}
	}

}
