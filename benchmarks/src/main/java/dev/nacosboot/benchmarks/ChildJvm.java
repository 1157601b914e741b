package dev.nacosboot.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Child JVMs on this process's class path (the flat benchmarks jar): the embedded server
 * and the startup apps.
 */
final class ChildJvm {

	private ChildJvm() {
	}

	static List<String> command(String... jvmOptions) {
		return commandWithClassPathFirst(null, jvmOptions);
	}

	/**
	 * A child's command line up to its main class.
	 * @param classPathFirst put before this process's class path, or {@code null}
	 * @param jvmOptions options of the child's JVM
	 * @return the command
	 */
	static List<String> commandWithClassPathFirst(@Nullable String classPathFirst, String... jvmOptions) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(List.of(jvmOptions));
		for (String property : ClientCaches.PROPERTIES) {
			command.add("-D" + property + "=" + System.getProperty(property));
		}
		command.add("-cp");
		String classPath = System.getProperty("java.class.path");
		command.add((classPathFirst != null) ? classPathFirst + File.pathSeparator + classPath : classPath);
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
