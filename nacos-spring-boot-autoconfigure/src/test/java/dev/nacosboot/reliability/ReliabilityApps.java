package dev.nacosboot.reliability;

import java.util.Map;

import dev.nacosboot.testserver.junit.NacosTarget;
import dev.nacosboot.testsupport.TestApps;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

/**
 * The applications of the reliability suite: providers from {@link TestApps}, and a
 * non-web consumer that calls them through a {@code @LoadBalanced} {@link RestClient}.
 */
final class ReliabilityApps {

	private ReliabilityApps() {
	}

	/**
	 * Starts a non-web consumer with a load-balanced {@link RestClient.Builder}; it does
	 * not register.
	 */
	static ConfigurableApplicationContext consumer(NacosTarget target, String group, String... extra) {
		Map<String, Object> properties = TestApps.common(target, group);
		properties.put("spring.application.name", "reliability-consumer");
		properties.put("spring.cloud.nacos.discovery.register-enabled", "false");
		return new SpringApplicationBuilder(LoadBalancedConsumer.class).web(WebApplicationType.NONE)
			.properties(properties)
			.properties(extra)
			.run();
	}

	/** A call of {@code GET http://service/ping} through the consumer's load balancer. */
	static String ping(ConfigurableApplicationContext consumer, String service) {
		return consumer.getBean(RestClient.Builder.class)
			.build()
			.get()
			.uri("http://" + service + "/ping")
			.retrieve()
			.body(String.class);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class LoadBalancedConsumer {

		@Bean
		@LoadBalanced
		RestClient.Builder restClientBuilder() {
			return RestClient.builder();
		}

	}

}
