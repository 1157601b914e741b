package dev.nacosboot.config;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Properties;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.exception.NacosException;
import dev.nacosboot.testserver.junit.NacosTarget;
import org.awaitility.Awaitility;

/**
 * Publishes configs through a client of its own, as an operator would, on the embedded
 * test server or on an external Nacos alike; removes what it published on close.
 */
final class ConfigPublisher implements AutoCloseable {

	private final ConfigService service;

	private final Set<List<String>> published = new LinkedHashSet<>();

	ConfigPublisher(NacosTarget target, String namespace) {
		Properties properties = target.clientProperties(namespace);
		try {
			this.service = NacosFactory.createConfigService(properties);
		}
		catch (NacosException ex) {
			throw new IllegalStateException(ex);
		}
	}

	ConfigPublisher(NacosTarget target) {
		this(target, null);
	}

	void publish(String dataId, String group, String content, String type) {
		try {
			if (!this.service.publishConfig(dataId, group, content, type)) {
				throw new IllegalStateException("publish of " + dataId + " refused");
			}
			this.published.add(List.of(dataId, group));
		}
		catch (NacosException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Publishes and waits until the server answers reads with the new content: a real
	 * Nacos stores a publish asynchronously, so an application started right after could
	 * otherwise miss it.
	 */
	void publishReadable(String dataId, String group, String content, String type) {
		publish(dataId, group, content, type);
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> content.equals(this.service.getConfig(dataId, group, 3000)));
	}

	/** Waits until the server answers reads of a removed data id with nothing. */
	void awaitAbsent(String dataId, String group) {
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> this.service.getConfig(dataId, group, 3000) == null);
	}

	void remove(String dataId, String group) {
		try {
			this.service.removeConfig(dataId, group);
		}
		catch (NacosException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() throws NacosException {
		for (List<String> config : this.published) {
			this.service.removeConfig(config.get(0), config.get(1));
		}
		this.service.shutDown();
	}

}
