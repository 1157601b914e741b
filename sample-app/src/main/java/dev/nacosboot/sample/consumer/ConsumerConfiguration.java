package dev.nacosboot.sample.consumer;

import java.time.Clock;
import java.time.Duration;

import com.alibaba.nacos.api.config.ConfigService;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The consumer role's beans.
 */
@Configuration(proxyBeanMethods = false)
@Profile("consumer")
@EnableConfigurationProperties({ GreetingProperties.class, TrafficProperties.class })
class ConsumerConfiguration {

	@Bean
	@LoadBalanced
	RestClient.Builder loadBalancedRestClientBuilder() {
		// Bounded waits: a provider that hangs must not stall the traffic loop.
		SimpleClientHttpRequestFactory requestFactory = new SimpleClientHttpRequestFactory();
		requestFactory.setConnectTimeout(Duration.ofSeconds(1));
		requestFactory.setReadTimeout(Duration.ofSeconds(2));
		return RestClient.builder().requestFactory(requestFactory);
	}

	@Bean
	TrafficRecorder trafficRecorder() {
		return new TrafficRecorder(Clock.systemUTC());
	}

	@Bean
	GreetingClient greetingClient(RestClient.Builder loadBalancedRestClientBuilder, TrafficRecorder recorder) {
		return new GreetingClient(loadBalancedRestClientBuilder.build(), recorder);
	}

	@Bean
	TrafficLoop trafficLoop(GreetingClient client, TrafficProperties properties) {
		return new TrafficLoop(client, properties);
	}

	@Bean
	ConfigPublisher configPublisher(ConfigService configService,
			@Value("${spring.cloud.nacos.config.group:DEFAULT_GROUP}") String group) {
		return new ConfigPublisher(configService, group);
	}

}
