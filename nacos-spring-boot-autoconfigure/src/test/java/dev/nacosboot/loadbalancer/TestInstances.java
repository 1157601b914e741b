package dev.nacosboot.loadbalancer;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;

/**
 * Builds plain Spring Cloud instances carrying the metadata keys a Nacos instance has.
 */
final class TestInstances {

	private final Map<String, String> metadata = new LinkedHashMap<>();

	private final String id;

	private TestInstances(String id) {
		this.id = id;
		this.metadata.put("nacos.weight", "1.0");
		this.metadata.put("nacos.cluster", "DEFAULT");
		this.metadata.put("nacos.healthy", "true");
	}

	static TestInstances instance(String id) {
		return new TestInstances(id);
	}

	TestInstances weight(double weight) {
		this.metadata.put("nacos.weight", String.valueOf(weight));
		return this;
	}

	TestInstances cluster(String cluster) {
		this.metadata.put("nacos.cluster", cluster);
		return this;
	}

	TestInstances version(String version) {
		this.metadata.put("version", version);
		return this;
	}

	TestInstances gray() {
		this.metadata.put("gray", "true");
		return this;
	}

	TestInstances unhealthy() {
		this.metadata.put("nacos.healthy", "false");
		return this;
	}

	TestInstances disabled() {
		this.metadata.put("nacos.enabled", "false");
		return this;
	}

	ServiceInstance build() {
		int port = 8000 + Math.abs(this.id.hashCode() % 1000);
		return new DefaultServiceInstance(this.id, "orders", "10.0.0.1", port, false, Map.copyOf(this.metadata));
	}

}
