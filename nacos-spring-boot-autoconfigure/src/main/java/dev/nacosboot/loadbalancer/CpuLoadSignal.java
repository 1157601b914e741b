package dev.nacosboot.loadbalancer;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The CPU load of the machine (or container) this application runs on, as the JVM reports
 * it - the figure behind Micrometer's {@code system.cpu.usage}; the process's own CPU
 * load when that is unavailable.
 */
class CpuLoadSignal implements InstanceLoadSignal {

	private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

	@Override
	public double currentLoad() {
		if (this.os instanceof com.sun.management.OperatingSystemMXBean sun) {
			double load = sun.getCpuLoad();
			if (load < 0) {
				load = sun.getProcessCpuLoad();
			}
			return (load >= 0) ? load : Double.NaN;
		}
		return Double.NaN;
	}

}
