package dev.nacosboot.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Command-line flags of the form {@code --name=value} (or {@code --name} for true).
 * Counts default to values that keep every scenario under two minutes on a 2-core
 * machine; {@code --long} multiplies them by five.
 */
final class Options {

	private final Map<String, String> values = new LinkedHashMap<>();

	Options(String[] flags) {
		for (String flag : flags) {
			if (!flag.startsWith("--")) {
				throw new IllegalArgumentException("Not a flag: " + flag);
			}
			int equals = flag.indexOf('=');
			if (equals < 0) {
				this.values.put(flag.substring(2), "true");
			}
			else {
				this.values.put(flag.substring(2, equals), flag.substring(equals + 1));
			}
		}
	}

	boolean isLong() {
		return flag("long");
	}

	/** Whether the flag was given at all. */
	boolean has(String name) {
		return this.values.containsKey(name);
	}

	boolean flag(String name) {
		return Boolean.parseBoolean(this.values.getOrDefault(name, "false"));
	}

	/** A count: the flag's value, else the default (times five with {@code --long}). */
	int count(String name, int defaultValue) {
		String value = this.values.get(name);
		if (value != null) {
			return Integer.parseInt(value);
		}
		return isLong() ? defaultValue * 5 : defaultValue;
	}

	/** The flag's value, or the default when it was not given. */
	String text(String name, String defaultValue) {
		return this.values.getOrDefault(name, defaultValue);
	}

	int integer(String name, int defaultValue) {
		String value = this.values.get(name);
		return (value != null) ? Integer.parseInt(value) : defaultValue;
	}

}
