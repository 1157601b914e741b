package dev.nacosboot.loadbalancer;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.nacosboot.discovery.NacosInstanceView;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A canary request stays on canary across services: an edge application receives
 * {@code X-Gray-Version: v2} and calls the next service through {@code @LoadBalanced}
 * clients that do not set the header themselves.
 */
class GrayHeaderPropagationIntegrationTests {

	private static final String SERVICE = "gray-propagation";

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static ConfigurableApplicationContext v1;

	private static ConfigurableApplicationContext v2;

	private static ConfigurableApplicationContext edge;

	@BeforeAll
	static void start() {
		String group = nacos.target().unique("lb-propagation") + "-" + System.nanoTime();
		v1 = provider(group, "v1", "false");
		v2 = provider(group, "v2", "true");
		edge = new SpringApplicationBuilder(Edge.class).web(WebApplicationType.SERVLET)
			.properties(TestApps.common(nacos.target(), group))
			.properties("spring.application.name=gray-edge", "server.port=0",
					"spring.cloud.nacos.discovery.register-enabled=false",
					"spring.cloud.nacos.loadbalancer.header-propagation.enabled=true")
			.run();
		NacosInstanceView view = edge.getBean(NacosInstanceView.class);
		await().atMost(Duration.ofSeconds(30)).until(() -> view.getInstances(SERVICE).size() == 2);
	}

	@AfterAll
	static void stop() {
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { edge, v1, v2 }) {
			if (context != null) {
				context.close();
			}
		}
	}

	private static ConfigurableApplicationContext provider(String group, String version, String gray) {
		return new SpringApplicationBuilder(GrayLoadBalancedHttpIntegrationTests.Provider.class)
			.web(WebApplicationType.SERVLET)
			.properties(TestApps.common(nacos.target(), group))
			.properties("spring.application.name=" + SERVICE, "server.port=0",
					"spring.cloud.nacos.discovery.metadata.version=" + version,
					"spring.cloud.nacos.discovery.metadata.gray=" + gray)
			.run();
	}

	@Test
	void versionHeaderOfTheIncomingRequestShouldReachTheNextServiceThroughEveryClient() {
		RestClient client = RestClient
			.create("http://127.0.0.1:" + edge.getEnvironment().getProperty("local.server.port"));
		for (String path : new String[] { "/rest-template", "/rest-client", "/web-client" }) {
			for (int i = 0; i < 20; i++) {
				assertThat(client.get().uri(path).header("X-Gray-Version", "v2").retrieve().body(String.class))
					.as(path + " with the header")
					.isEqualTo("v2");
				assertThat(client.get().uri(path).retrieve().body(String.class)).as(path + " without it")
					.isEqualTo("v1");
			}
		}
	}

	@Test
	void reactiveFilterShouldTakeTheHeadersFromTheReactorContextAndKeepAnExplicitValue() {
		ReactiveGrayHeaderFilter filter = new ReactiveGrayHeaderFilter(
				new GrayHeaderPropagation(() -> List.of("X-Gray-Version", "X-User-Id")));
		ClientRequest plain = ClientRequest.create(HttpMethod.GET, URI.create("http://orders/x")).build();
		ClientRequest explicit = ClientRequest.from(plain).header("X-Gray-Version", "v1").build();
		Map<String, String> incoming = Map.of("X-Gray-Version", "v2", "X-User-Id", "u-7");
		List<ClientRequest> sent = new ArrayList<>();
		for (ClientRequest request : new ClientRequest[] { plain, explicit }) {
			filter.filter(request, (out) -> {
				sent.add(out);
				return Mono.just(ClientResponse.create(HttpStatus.OK).build());
			}).contextWrite((context) -> context.put(ReactiveGrayHeaderFilter.CONTEXT_KEY, incoming)).block();
		}
		assertThat(sent.get(0).headers().getFirst("X-Gray-Version")).isEqualTo("v2");
		assertThat(sent.get(0).headers().getFirst("X-User-Id")).isEqualTo("u-7");
		assertThat(sent.get(1).headers().getFirst("X-Gray-Version")).isEqualTo("v1");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@RestController
	static class Edge {

		private final RestTemplate restTemplate;

		private final RestClient restClient;

		private final WebClient webClient;

		Edge(RestTemplate restTemplate, RestClient.Builder restClient, WebClient.Builder webClient) {
			this.restTemplate = restTemplate;
			this.restClient = restClient.build();
			this.webClient = webClient.build();
		}

		@Bean
		@LoadBalanced
		static RestTemplate restTemplate() {
			return new RestTemplate();
		}

		@Bean
		@LoadBalanced
		static RestClient.Builder restClientBuilder() {
			return RestClient.builder();
		}

		@Bean
		@LoadBalanced
		static WebClient.Builder webClientBuilder() {
			return WebClient.builder().clientConnector(new JdkClientHttpConnector());
		}

		@GetMapping("/rest-template")
		String viaRestTemplate() {
			return this.restTemplate.getForObject("http://" + SERVICE + "/version", String.class);
		}

		@GetMapping("/rest-client")
		String viaRestClient() {
			return this.restClient.get().uri("http://" + SERVICE + "/version").retrieve().body(String.class);
		}

		@GetMapping("/web-client")
		String viaWebClient() {
			return this.webClient.get()
				.uri("http://" + SERVICE + "/version")
				.retrieve()
				.bodyToMono(String.class)
				.block();
		}

	}

}
