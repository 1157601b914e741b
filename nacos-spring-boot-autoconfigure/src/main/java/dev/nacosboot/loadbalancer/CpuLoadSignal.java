package dev.nacosboot.loadbalancer;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The CPU load of the machine (or container) this application runs on, as the JVM reports
 * it - the figure behind Micrometer's {@code system.cpu.usage}; the process's own CPU
 * load when that is unavailable.
 * <p>
 * The JVM's operating-system bean is looked up at the first sample, seconds after ready:
 * the lookup took about 13 ms of the main thread at startup.
 */
class CpuLoadSignal implements InstanceLoadSignal {

	@Override
	public double currentLoad() {
		if (OperatingSystem.BEAN instanceof com.sun.management.OperatingSystemMXBean sun) {
			double load = sun.getCpuLoad();
			if (load < 0) {
				load = sun.getProcessCpuLoad();
			}
			return (load >= 0) ? load : Double.NaN;
		}
		return Double.NaN;
	}

	// Initialised at its first use (the holder idiom).
	private static final class OperatingSystem {

		static final OperatingSystemMXBean BEAN = ManagementFactory.getOperatingSystemMXBean();

	}

}
