package dev.nacosboot.benchmarks;

import java.io.PrintStream;

/**
 * One measurement: prints its tables and adds one summary line.
 */
interface Scenario {

	String name();

	/** What is measured against what, in one line. */
	String description();

	/**
	 * Runs the scenario.
	 * @param options the command-line flags
	 * @param out where tables go
	 * @return the summary line: {@code scenario: value unit (reference value, ratio)}
	 */
	String run(Options options, PrintStream out) throws Exception;

}
