package dev.nacosboot.loadbalancer;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.CompletionContext;
import org.springframework.cloud.client.loadbalancer.DefaultRequest;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestData;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static dev.nacosboot.loadbalancer.TestInstances.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The requeue of calls that fail to connect, with the real balancer, lifecycle and
 * statistics, and a client that "connects" unless the chosen instance is dead: blocking
 * calls as {@code RestTemplate}/{@code RestClient}/OpenFeign make them, reactive ones as
 * {@code WebClient} does.
 */
class ConnectFailureRequeueTests {

	private final AtomicLong clock = new AtomicLong(1_000_000_000L);

	private final NacosLoadBalancerProperties properties = new NacosLoadBalancerProperties();

	private final List<ServiceInstance> instances = new ArrayList<>();

	private final Set<String> dead = new HashSet<>();

	private final AtomicInteger attempts = new AtomicInteger();

	private ConnectFailureRequeue.Settings settings = new ConnectFailureRequeue.Settings(true,
			new RetryBudget.Settings(20, 10, Duration.ofSeconds(10)));

	private final InstanceStatsRegistry registry = new InstanceStatsRegistry(OutlierSettings.of(this.properties),
			this.clock::get);

	private final ConnectFailureRequeue requeue = new ConnectFailureRequeue(() -> this.settings, this.clock::get);

	private final NacosLoadBalancerLifecycle lifecycle = new NacosLoadBalancerLifecycle(this.registry, this.requeue);

	private final NacosGrayLoadBalancer balancer = balancer();

	@Test
	void threeRefusingAndTwoLiveInstancesShouldGiveNoFailedCall() throws IOException {
		instances("live-1", "live-2", "dead-1", "dead-2", "dead-3");
		this.dead.addAll(List.of("dead-1", "dead-2", "dead-3"));
		for (int i = 0; i < 1000; i++) {
			assertThat(blockingCall()).startsWith("live-");
		}
		System.out.printf("3 refusing + 2 live: 1000 calls, 0 failed, %d connection attempts%n", this.attempts.get());
		assertThat(this.attempts.get()).as("each refusing instance tried once, then out").isEqualTo(1003);
	}

	@Test
	void everyInstanceRefusingShouldFailNamingTheServiceAndTheAddressesTried() {
		instances("dead-1", "dead-2", "dead-3");
		this.dead.addAll(List.of("dead-1", "dead-2", "dead-3"));
		assertThatExceptionOfType(NoReachableInstanceException.class).isThrownBy(this::blockingCall)
			.withMessageStartingWith("No instance of orders accepted a connection: tried ")
			.withMessageContaining(address("dead-1") + " (Connection refused)")
			.withMessageContaining(address("dead-2"))
			.withMessageContaining(address("dead-3"))
			.withMessageEndingWith("no other instance of orders is left to try")
			.satisfies((ex) -> assertThat(ex.getTriedAddresses()).hasSize(3));
		assertThat(this.attempts).hasValue(3);
		// Now all are known to refuse: one attempt per call, no requeue onto them.
		for (int i = 0; i < 100; i++) {
			assertThatExceptionOfType(NoReachableInstanceException.class).isThrownBy(this::blockingCall)
				.withMessageContaining("are out for refusing connections too");
		}
		assertThat(this.attempts).as("no retry storm").hasValue(3 + 100);
	}

	@Test
	void failureAfterTheRequestMayHaveLeftShouldNotBeRequeued() {
		instances("slow", "live");
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> this.requeue.execute("orders", () -> {
			Attempt attempt = choose();
			attempt.fail(new SocketTimeoutException("Read timed out"));
			return "unreachable";
		}));
	}

	@Test
	void connectFailureAfterAnAttemptThatReachedAServerShouldNotBeRequeued() {
		instances("dead-1", "live");
		this.dead.add("dead-1");
		// An inner retry (Spring Cloud's) first got an answer it retries, then failed to
		// connect: the request may have been processed once already.
		assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> this.requeue.execute("orders", () -> {
			Attempt answered = choose();
			answered.succeed();
			Attempt refused = chooseUntil("dead-1");
			refused.fail(new ConnectException("Connection refused"));
			return "unreachable";
		}));
	}

	@Test
	void spentBudgetShouldEndTheCall() {
		this.settings = new ConnectFailureRequeue.Settings(true,
				new RetryBudget.Settings(0, 0, Duration.ofSeconds(10)));
		instances("dead-1", "live");
		this.dead.add("dead-1");
		List<Throwable> failures = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			try {
				blockingCall();
			}
			catch (IOException ex) {
				failures.add(ex);
			}
		}
		assertThat(failures).hasSize(1)
			.first()
			.asString()
			.contains("the requeue budget of orders is spent")
			.contains(address("dead-1"));
	}

	@Test
	void disabledRequeueShouldLeaveTheFailureToTheCaller() {
		this.settings = new ConnectFailureRequeue.Settings(false, this.settings.budget());
		instances("dead-1");
		this.dead.add("dead-1");
		assertThatExceptionOfType(ConnectException.class).isThrownBy(this::blockingCall);
	}

	@Test
	void webClientCallShouldBeRequeuedThroughItsRequestAttribute() {
		instances("live-1", "dead-1", "dead-2");
		this.dead.addAll(List.of("dead-1", "dead-2"));
		RequeueExchangeFilterFunction filter = new RequeueExchangeFilterFunction(this.requeue);
		ClientRequest request = ClientRequest.create(HttpMethod.POST, URI.create("http://orders/orders")).build();
		for (int i = 0; i < 200; i++) {
			ClientResponse response = filter.filter(request, this::exchange).block();
			assertThat(response.statusCode()).isEqualTo(HttpStatus.OK);
		}
		assertThat(this.attempts).hasValue(202);
	}

	@Test
	void webClientCallWithEveryInstanceRefusingShouldFailWithARequestException() {
		instances("dead-1", "dead-2");
		this.dead.addAll(List.of("dead-1", "dead-2"));
		RequeueExchangeFilterFunction filter = new RequeueExchangeFilterFunction(this.requeue);
		ClientRequest request = ClientRequest.create(HttpMethod.GET, URI.create("http://orders/x")).build();
		assertThatExceptionOfType(WebClientRequestException.class)
			.isThrownBy(() -> filter.filter(request, this::exchange).block())
			.withCauseInstanceOf(NoReachableInstanceException.class)
			.withMessageContaining("No instance of orders accepted a connection")
			.withMessageContaining(address("dead-1"))
			.withMessageContaining(address("dead-2"));
	}

	// As Spring Cloud's load-balancer filter does it: choose with the request's
	// attributes, a 503 when no instance, the lifecycle on the way out.
	private Mono<ClientResponse> exchange(ClientRequest request) {
		Request<RequestDataContext> lbRequest = new DefaultRequest<>(
				new RequestDataContext(new RequestData(request), "default"));
		return Mono.from(this.balancer.choose(lbRequest)).flatMap((response) -> {
			if (!response.hasServer()) {
				return Mono.just(ClientResponse.create(HttpStatus.SERVICE_UNAVAILABLE).build());
			}
			Attempt attempt = new Attempt(lbRequest, response);
			if (this.dead.contains(response.getServer().getInstanceId())) {
				ConnectException refused = new ConnectException("Connection refused");
				attempt.complete(CompletionContext.Status.FAILED, refused);
				return Mono
					.error(new WebClientRequestException(refused, request.method(), request.url(), request.headers()));
			}
			attempt.complete(CompletionContext.Status.SUCCESS, null);
			return Mono.just(ClientResponse.create(HttpStatus.OK).build());
		});
	}

	// One pass as Spring Cloud's blocking client makes it.
	private String blockingCall() throws IOException {
		return this.requeue.execute("orders", () -> {
			Attempt attempt = choose();
			String id = attempt.instance().getInstanceId();
			if (this.dead.contains(id)) {
				attempt.fail(new ConnectException("Connection refused"));
			}
			attempt.succeed();
			return id;
		});
	}

	private Attempt choose() {
		Request<RequestDataContext> request = request();
		Response<ServiceInstance> response = this.balancer.choose(request).block();
		if (response == null || !response.hasServer()) {
			throw new IllegalStateException("No instances available for orders");
		}
		return new Attempt(request, response);
	}

	private Attempt chooseUntil(String id) {
		while (true) {
			Attempt attempt = choose();
			if (attempt.instance().getInstanceId().equals(id)) {
				return attempt;
			}
			attempt.succeed();
		}
	}

	private static Request<RequestDataContext> request() {
		return new DefaultRequest<>(new RequestDataContext(new RequestData(HttpMethod.GET,
				URI.create("http://orders/x"), new HttpHeaders(), new LinkedMultiValueMap<>(), new HashMap<>())));
	}

	private void instances(String... ids) {
		for (String id : ids) {
			this.instances.add(instance(id).build());
		}
	}

	private String address(String id) {
		return RequeueAttempt.address(instance(id).build());
	}

	private NacosGrayLoadBalancer balancer() {
		StaticListableBeanFactory beans = new StaticListableBeanFactory();
		beans.addBean("supplier", new ServiceInstanceListSupplier() {

			@Override
			public String getServiceId() {
				return "orders";
			}

			@Override
			public Flux<List<ServiceInstance>> get() {
				return Flux.just(List.copyOf(ConnectFailureRequeueTests.this.instances));
			}

		});
		return new NacosGrayLoadBalancer(beans.getBeanProvider(ServiceInstanceListSupplier.class), "orders",
				new GrayRulesSource(this.properties, (serviceId) -> List.of()), null, this.registry, this.requeue);
	}

	private final class Attempt {

		private final Request<RequestDataContext> request;

		private final Response<ServiceInstance> response;

		Attempt(Request<RequestDataContext> request, Response<ServiceInstance> response) {
			this.request = request;
			this.response = response;
			ConnectFailureRequeueTests.this.attempts.incrementAndGet();
			lifecycle().onStartRequest(cast(request), response);
		}

		ServiceInstance instance() {
			return this.response.getServer();
		}

		void succeed() {
			complete(CompletionContext.Status.SUCCESS, null);
		}

		void fail(IOException failure) throws IOException {
			complete(CompletionContext.Status.FAILED, failure);
			throw failure;
		}

		void complete(CompletionContext.Status status, Throwable failure) {
			lifecycle().onComplete(new CompletionContext<>(status, failure, cast(this.request), this.response));
		}

		@SuppressWarnings({ "unchecked", "rawtypes" })
		private static Request<Object> cast(Request<?> request) {
			return (Request) request;
		}

		private NacosLoadBalancerLifecycle lifecycle() {
			return ConnectFailureRequeueTests.this.lifecycle;
		}

	}

}
