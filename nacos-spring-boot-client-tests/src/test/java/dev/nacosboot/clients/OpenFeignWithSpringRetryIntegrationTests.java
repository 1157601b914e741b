package dev.nacosboot.clients;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.nacosboot.clients.ClientApps.GreetingClient;
import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import feign.Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.cloud.openfeign.loadbalancer.RetryableFeignBlockingLoadBalancerClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * OpenFeign with Spring Retry on the class path (its own surefire execution): Spring
 * Cloud's retrying client, which the starter wraps with the requeue of failed connects,
 * retries a 503 on the other instance as configured. Tagged, so that only that execution
 * runs it, whatever {@code -Dtest} says.
 */
@Tag("with-spring-retry")
class OpenFeignWithSpringRetryIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

	@AfterAll
	static void stop() {
		contexts.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void springCloudRetryShouldRetryA503OnTheOtherInstance() {
		assertThat(ClassUtils.isPresent("org.springframework.retry.support.RetryTemplate", null))
			.as("runs in the with-spring-retry execution, with Spring Retry on the class path")
			.isTrue();
		String group = nacos.target().unique("feign-retry");
		String service = nacos.target().unique("retried-greeting");
		contexts.add(ClientApps.provider(nacos.target(), group, service));
		contexts.add(ClientApps.provider(nacos.target(), group, service, "test.fail-with=503"));
		ConfigurableApplicationContext consumer = ClientApps.consumer(nacos.target(), group, service,
				"spring.cloud.loadbalancer.retry.retryable-status-codes=503",
				"spring.cloud.loadbalancer.retry.max-retries-on-next-service-instance=1");
		contexts.add(consumer);
		NacosInstanceView view = consumer.getBean(NacosInstanceView.class);
		await().atMost(ClientApps.PUSH).until(() -> view.getInstances(service).size() == 2);
		assertThat(consumer.getBean(Client.class)).isInstanceOf(RetryableFeignBlockingLoadBalancerClient.class)
			.extracting((client) -> client.getClass().getSimpleName())
			.isEqualTo("RequeueingRetryableClient");
		GreetingClient client = consumer.getBean(GreetingClient.class);
		for (int i = 0; i < 200; i++) {
			assertThat(client.greeting()).startsWith("v1@");
		}
	}

}
