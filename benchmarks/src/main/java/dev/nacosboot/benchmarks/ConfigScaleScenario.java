package dev.nacosboot.benchmarks;

import java.io.PrintStream;

final class ConfigScaleScenario implements Scenario {

	@Override
	public String name() {
		return "ConfigScaleScenario";
	}

	@Override
	public String description() {
		return "todo";
	}

	@Override
	public String run(Options options, PrintStream out) {
		return name() + ": not yet";
	}

}
