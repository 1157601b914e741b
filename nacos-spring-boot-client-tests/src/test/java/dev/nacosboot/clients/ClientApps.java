package dev.nacosboot.clients;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.nacosboot.test.NacosTestServerConnectionInitializer;
import dev.nacosboot.testserver.junit.NacosTarget;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.CompletionContext;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.cloud.client.loadbalancer.LoadBalancerLifecycle;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.openfeign.EnableFeignClients;
import org.springframework.cloud.openfeign.FeignClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The applications of these tests, started as a user's would be: providers of a service
 * (Spring MVC, registered) and a consumer calling it through a {@code @LoadBalanced}
 * {@code RestClient}, {@code RestTemplate}, {@code WebClient} (on Reactor Netty) and an
 * OpenFeign client, with no retry configured.
 */
final class ClientApps {

	/**
	 * Longest wait for something to travel through Nacos; a real server batches pushes.
	 */
	static final Duration PUSH = Duration.ofSeconds(30);

	private ClientApps() {
	}

	/**
	 * An application of these tests: connected to the test class's Nacos through its
	 * connection details (no server address property), registered in {@code group} on the
	 * loopback address.
	 */
	static SpringApplicationBuilder application(Class<?> source, NacosTarget target, String group) {
		return new SpringApplicationBuilder(source)
			.addBootstrapRegistryInitializer(NacosTestServerConnectionInitializer.of(target))
			.properties("spring.cloud.nacos.discovery.group=" + group, "spring.cloud.nacos.discovery.ip=127.0.0.1",
					"spring.jmx.enabled=false", "spring.main.banner-mode=off", "logging.level.com.alibaba.nacos=warn");
	}

	/** A provider of the service on a random port (or the one in {@code extra}). */
	static ConfigurableApplicationContext provider(NacosTarget target, String group, String service, String... extra) {
		return application(Provider.class, target, group).web(WebApplicationType.SERVLET)
			.properties("spring.application.name=" + service, "server.port=0")
			.properties(extra)
			.run();
	}

	/** A web consumer whose clients call {@code service}. */
	static ConfigurableApplicationContext consumer(NacosTarget target, String group, String service, String... extra) {
		return application(Consumer.class, target, group).web(WebApplicationType.SERVLET)
			.properties("spring.application.name=client-tests-consumer", "server.port=0",
					"spring.cloud.nacos.discovery.register-enabled=false", "test.service=" + service)
			.properties(extra)
			.run();
	}

	static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
	}

	/** The four ways a consumer calls the service, each through the load balancer. */
	enum Client {

		REST_CLIENT {
			@Override
			String get(ConfigurableApplicationContext consumer, String path) {
				return consumer.getBean(RestClient.Builder.class)
					.build()
					.get()
					.uri("http://" + service(consumer) + path)
					.retrieve()
					.body(String.class);
			}

			@Override
			String post(ConfigurableApplicationContext consumer, String body) {
				return consumer.getBean(RestClient.Builder.class)
					.build()
					.post()
					.uri("http://" + service(consumer) + "/orders")
					.body(body)
					.retrieve()
					.body(String.class);
			}
		},

		REST_TEMPLATE {
			@Override
			String get(ConfigurableApplicationContext consumer, String path) {
				return consumer.getBean(RestTemplate.class)
					.getForObject("http://" + service(consumer) + path, String.class);
			}

			@Override
			String post(ConfigurableApplicationContext consumer, String body) {
				return consumer.getBean(RestTemplate.class)
					.postForObject("http://" + service(consumer) + "/orders", body, String.class);
			}
		},

		WEB_CLIENT {
			@Override
			String get(ConfigurableApplicationContext consumer, String path) {
				return consumer.getBean(WebClient.Builder.class)
					.build()
					.get()
					.uri("http://" + service(consumer) + path)
					.retrieve()
					.bodyToMono(String.class)
					.block(Duration.ofSeconds(30));
			}

			@Override
			String post(ConfigurableApplicationContext consumer, String body) {
				return consumer.getBean(WebClient.Builder.class)
					.build()
					.post()
					.uri("http://" + service(consumer) + "/orders")
					.bodyValue(body)
					.retrieve()
					.bodyToMono(String.class)
					.block(Duration.ofSeconds(30));
			}
		},

		OPEN_FEIGN {
			@Override
			String get(ConfigurableApplicationContext consumer, String path) {
				if (!"/greeting".equals(path)) {
					throw new IllegalArgumentException(path);
				}
				return consumer.getBean(GreetingClient.class).greeting();
			}

			@Override
			String post(ConfigurableApplicationContext consumer, String body) {
				return consumer.getBean(GreetingClient.class).order(body);
			}
		};

		/** A GET of the path on the service, the body of a 2xx answer. */
		abstract String get(ConfigurableApplicationContext consumer, String path);

		/** A POST to /orders, which the providers echo. */
		abstract String post(ConfigurableApplicationContext consumer, String body);

		private static String service(ConfigurableApplicationContext consumer) {
			return consumer.getEnvironment().getProperty("test.service");
		}

	}

	@FeignClient(name = "${test.service}")
	interface GreetingClient {

		@GetMapping("/greeting")
		String greeting();

		@PostMapping("/orders")
		String order(@RequestBody String body);

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@RestController
	static class Provider {

		private final String version;

		private final int failWith;

		private final ConfigurableApplicationContext context;

		Provider(@Value("${spring.cloud.nacos.discovery.metadata.version:v1}") String version,
				@Value("${test.fail-with:0}") int failWith, ConfigurableApplicationContext context) {
			this.version = version;
			this.failWith = failWith;
			this.context = context;
		}

		/** The version and port of this provider, or the configured error status. */
		@GetMapping("/greeting")
		ResponseEntity<String> greeting() {
			if (this.failWith > 0) {
				return ResponseEntity.status(this.failWith).body("failing");
			}
			return ResponseEntity.ok(this.version + "@" + port(this.context));
		}

		@PostMapping("/orders")
		String order(@RequestBody String body) {
			return body + "@" + port(this.context);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableFeignClients(clients = GreetingClient.class)
	@RestController
	static class Consumer {

		private final GreetingClient greetings;

		Consumer(GreetingClient greetings) {
			this.greetings = greetings;
		}

		/** Calls the service through OpenFeign while handling a request of its own. */
		@GetMapping("/relay")
		String relay() {
			return this.greetings.greeting();
		}

		@Bean
		@LoadBalanced
		RestTemplate restTemplate() {
			return new RestTemplate();
		}

		@Bean
		@LoadBalanced
		RestClient.Builder restClientBuilder() {
			return RestClient.builder();
		}

		@Bean
		@LoadBalanced
		WebClient.Builder webClientBuilder() {
			return WebClient.builder();
		}

		@Bean
		Attempts attempts() {
			return new Attempts();
		}

	}

	/**
	 * Connection attempts by instance address, as the load balancer's lifecycle sees them
	 * (every client reports each attempt).
	 */
	static class Attempts implements LoadBalancerLifecycle<Object, Object, ServiceInstance> {

		private final Map<String, AtomicInteger> byAddress = new ConcurrentHashMap<>();

		@Override
		@SuppressWarnings("rawtypes")
		public boolean supports(Class requestContextClass, Class responseClass, Class serverTypeClass) {
			return ServiceInstance.class.isAssignableFrom(serverTypeClass);
		}

		@Override
		public void onStart(Request<Object> request) {
		}

		@Override
		public void onStartRequest(Request<Object> request, Response<ServiceInstance> lbResponse) {
			ServiceInstance instance = lbResponse.getServer();
			if (instance != null) {
				this.byAddress
					.computeIfAbsent(instance.getHost() + ":" + instance.getPort(), (key) -> new AtomicInteger())
					.incrementAndGet();
			}
		}

		@Override
		public void onComplete(CompletionContext<Object, ServiceInstance, Object> completionContext) {
		}

		int to(int port) {
			AtomicInteger count = this.byAddress.get("127.0.0.1:" + port);
			return (count != null) ? count.get() : 0;
		}

		int total() {
			return this.byAddress.values().stream().mapToInt(AtomicInteger::get).sum();
		}

	}

}
