package dev.nacosboot.benchmarks;

import java.io.PrintStream;

final class DiscoveryScaleScenario implements Scenario {

	@Override
	public String name() {
		return "DiscoveryScaleScenario";
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
