package dev.nacosboot.sample.consumer;

import java.time.Clock;
import java.time.Duration;

import dev.nacosboot.config.NacosConfigProperties;
import dev.nacosboot.core.NacosClients;
import dev.nacosboot.core.NacosProperties;

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
	ConfigPublisher configPublisher(NacosClients clients, NacosProperties nacosProperties,
			NacosConfigProperties configProperties) {
		return new ConfigPublisher(clients, nacosProperties, configProperties);
	}

}
