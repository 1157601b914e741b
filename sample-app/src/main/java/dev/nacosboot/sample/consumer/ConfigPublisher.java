package dev.nacosboot.sample.consumer;

import java.util.List;

import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.ConfigType;
import com.alibaba.nacos.api.exception.NacosException;
import org.jspecify.annotations.Nullable;

/**
 * Reads and publishes the sample's own data ids through the starter's
 * {@link ConfigService} bean (the client the {@code nacos:} imports use; the starter
 * closes it with the context).
 */
public class ConfigPublisher {

	/** The consumer's config: {@code sample.*}. */
	public static final String CONSUMER_DATA_ID = "greeting-consumer.yaml";

	/** The consumer's gray-release rules. */
	public static final String ROUTING_DATA_ID = "greeting-routing.yaml";

	/** Data ids the page may read and write; nothing else. */
	public static final List<String> DATA_IDS = List.of(CONSUMER_DATA_ID, ROUTING_DATA_ID);

	private static final long READ_TIMEOUT_MILLIS = 3000;

	private final ConfigService configService;

	private final String group;

	/**
	 * Creates a publisher.
	 * @param configService the starter's config client
	 * @param group the group of the sample's data ids
	 */
	public ConfigPublisher(ConfigService configService, String group) {
		this.configService = configService;
		this.group = group;
	}

	/**
	 * The current content of a data id.
	 * @param dataId one of {@link #DATA_IDS}
	 * @return its content, or {@code null} when it is not published
	 * @throws NacosException when the server cannot be asked
	 */
	public @Nullable String read(String dataId) throws NacosException {
		return this.configService.getConfig(checked(dataId), this.group, READ_TIMEOUT_MILLIS);
	}

	/**
	 * Publishes new content for a data id; the import's listener applies it to this
	 * application.
	 * @param dataId one of {@link #DATA_IDS}
	 * @param content YAML content
	 * @return whether the server accepted it
	 * @throws NacosException when the server cannot be reached
	 */
	public boolean publish(String dataId, String content) throws NacosException {
		return this.configService.publishConfig(checked(dataId), this.group, content, ConfigType.YAML.getType());
	}

	/**
	 * The rules for greeting-service with a canary share for v2, as the page's rollout
	 * form publishes them.
	 * @param percent share of untagged traffic for v2
	 * @return YAML content for {@link #ROUTING_DATA_ID}
	 */
	public static String routingRule(int percent) {
		return """
				spring.cloud.nacos.loadbalancer.services.greeting-service:
				  stable-version: v1
				  sticky-header: X-User-Id
				  canary:
				    v2: %d
				""".formatted(percent);
	}

	private static String checked(String dataId) {
		if (!DATA_IDS.contains(dataId)) {
			throw new IllegalArgumentException("The sample only edits " + DATA_IDS + ", not '" + dataId + "'");
		}
		return dataId;
	}

}
