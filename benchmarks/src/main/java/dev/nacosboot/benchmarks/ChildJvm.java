package dev.nacosboot.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child JVMs on this process's class path (the flat benchmarks jar): the embedded server
 * and the startup apps.
 */
final class ChildJvm {

	private ChildJvm() {
	}

	static List<String> command(String... jvmOptions) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(List.of(jvmOptions));
		for (String property : ClientCaches.PROPERTIES) {
			command.add("-D" + property + "=" + System.getProperty(property));
		}
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		return command;
	}

	/**
	 * Keeps reading a child's output on a daemon thread, so that a full pipe never blocks
	 * it.
	 */
	static void drain(BufferedReader reader) {
		Thread thread = new Thread(() -> {
			try {
				while (reader.readLine() != null) {
					// discard
				}
			}
			catch (IOException ex) {
				// the child is gone
			}
		}, "child-output");
		thread.setDaemon(true);
		thread.start();
	}

}
