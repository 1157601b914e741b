package dev.nacosboot.actuate;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.nacosboot.loadbalancer.InstanceStatsRegistry;
import dev.nacosboot.loadbalancer.NacosLoadBalancerLifecycle;
import dev.nacosboot.loadbalancer.NacosLoadBalancerProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.CompletionContext;
import org.springframework.cloud.client.loadbalancer.DefaultRequest;
import org.springframework.cloud.client.loadbalancer.DefaultResponse;
import org.springframework.cloud.client.loadbalancer.EmptyResponse;
import org.springframework.cloud.client.loadbalancer.LoadBalancerLifecycle;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestData;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.scheduling.concurrent.SimpleAsyncTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Load-balancer meters counted from the lifecycle callbacks and from ejections.
 */
class NacosLoadBalancerMetricsTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final NacosLoadBalancerMetrics metrics = new NacosLoadBalancerMetrics();

	private final Request<Object> request = new DefaultRequest<>(new RequestDataContext(
			new RequestData(HttpMethod.GET, URI.create("http://orders/api"), new HttpHeaders(), null, Map.of())));

	@BeforeEach
	void bind() {
		this.metrics.bindTo(this.registry);
	}

	@Test
	void completedCallsAreCountedByServiceVersionAndOutcome() {
		ServiceInstance v2 = instance("10.0.0.2", Map.of("version", "v2"));
		ServiceInstance untagged = instance("10.0.0.3", Map.of());

		this.metrics.onComplete(
				new CompletionContext<>(CompletionContext.Status.SUCCESS, this.request, new DefaultResponse(v2)));
		this.metrics.onComplete(
				new CompletionContext<>(CompletionContext.Status.SUCCESS, this.request, new DefaultResponse(v2)));
		this.metrics.onComplete(new CompletionContext<>(CompletionContext.Status.FAILED, new ConnectException(),
				this.request, new DefaultResponse(untagged)));

		assertThat(count("orders", "v2", "success")).isEqualTo(2);
		assertThat(count("orders", "none", "failed")).isEqualTo(1);
	}

	@Test
	void callsWithoutAnInstanceAreCountedAsNoInstance() {
		this.metrics
			.onComplete(new CompletionContext<>(CompletionContext.Status.DISCARD, this.request, new EmptyResponse()));

		assertThat(count("orders", "none", "no-instance")).isEqualTo(1);
	}

	@Test
	void ejectionsAreCountedPerService() {
		InstanceStatsRegistry outliers = new InstanceStatsRegistry(new NacosLoadBalancerProperties());
		outliers.onEjection(this.metrics::ejected);
		NacosLoadBalancerLifecycle lifecycle = new NacosLoadBalancerLifecycle(outliers);
		ServiceInstance failing = instance("10.0.0.9", Map.of());

		for (int call = 0; call < 5; call++) {
			DefaultResponse response = new DefaultResponse(failing);
			lifecycle.onStartRequest(this.request, response);
			lifecycle.onComplete(new CompletionContext<>(CompletionContext.Status.FAILED, new ConnectException(),
					this.request, response));
		}

		assertThat(this.registry.get(NacosLoadBalancerMetrics.EJECTIONS).tag("service", "orders").counter().count())
			.isEqualTo(1);
	}

	@Test
	void runWithLoadBalancerOnTheClasspathShouldCountChoices() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(NacosMetricsAutoConfiguration.class))
			.withBean(NacosStateSampling.class,
					() -> new NacosStateSampling(List.of(), Duration.ofSeconds(1), new SimpleAsyncTaskScheduler()))
			.run((context) -> assertThat(context).hasSingleBean(NacosLoadBalancerMetrics.class));
	}

	@Test
	void runWithoutLoadBalancerShouldNotCountChoices() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(NacosMetricsAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(LoadBalancerLifecycle.class))
			.withBean(NacosStateSampling.class,
					() -> new NacosStateSampling(List.of(), Duration.ofSeconds(1), new SimpleAsyncTaskScheduler()))
			.run((context) -> assertThat(context).doesNotHaveBean(NacosLoadBalancerMetrics.class));
	}

	private double count(String service, String version, String outcome) {
		return this.registry.get(NacosLoadBalancerMetrics.CHOOSE)
			.tag("service", service)
			.tag("version", version)
			.tag("outcome", outcome)
			.counter()
			.count();
	}

	private static ServiceInstance instance(String host, Map<String, String> metadata) {
		return new DefaultServiceInstance(host + ":80", "orders", host, 80, false, metadata);
	}

}
