package dev.nacosboot.loadbalancer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CpuLoadSignalTests {

	@Test
	void loadIsAShareOfTheCpusOrUnknown() {
		CpuLoadSignal signal = new CpuLoadSignal();
		for (int i = 0; i < 3; i++) {
			double load = signal.currentLoad();
			assertThat(Double.isNaN(load) || (load >= 0 && load <= 1)).as("load %s", load).isTrue();
		}
	}

}
