package dev.nacosboot.loadbalancer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultResponse;
import org.springframework.cloud.client.loadbalancer.EmptyResponse;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestData;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.client.loadbalancer.RetryableRequestContext;
import org.springframework.cloud.loadbalancer.core.NoopServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.cloud.loadbalancer.core.RetryAwareServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.SelectedInstanceCallback;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.http.HttpHeaders;

/**
 * The balancer of one service: weighted choice, cluster preference and gray routing by
 * version header and canary percentage, then the service's strategy over effective
 * weights (Nacos weight x published load x observed health). It keeps one
 * {@link GrayRoutingTable} and rebuilds it only when the supplier's instance list, the
 * rules in force or an instance's observed health changed, so a choice costs an identity
 * check and a pick (O(1) or O(log n)). It works on whatever list the client's supplier
 * chain hands it; when the chain is only the push-fed supplier it reads that list without
 * the Reactor pipeline. A retried call avoids the instance its previous attempt failed on
 * when the pool has another; a call requeued after failed connects avoids every instance
 * it could not connect to and those out for refusing connections. No instance for a
 * request yields an {@link EmptyResponse} (a 503 for reactive clients and the gateway),
 * never {@code null}.
 */
public class NacosGrayLoadBalancer implements ReactorServiceInstanceLoadBalancer {

	private static final Response<ServiceInstance> NO_INSTANCE = new EmptyResponse();

	private final ObjectProvider<ServiceInstanceListSupplier> suppliers;

	private final String serviceId;

	private final GrayRulesSource rules;

	private final @Nullable String localCluster;

	private final @Nullable InstanceStatsRegistry stats;

	private final @Nullable ConnectFailureRequeue requeue;

	private volatile @Nullable GrayRoutingTable table;

	private final AtomicReferenceArray<@Nullable GrayRoutingTable> recent = new AtomicReferenceArray<>(4);

	private final AtomicInteger nextRecent = new AtomicInteger();

	private volatile @Nullable ServiceInstanceListSupplier supplier;

	// The push-fed supplier when the chain is only that (or Spring Cloud's retry-aware
	// wrapper around it), so that choose() can skip the Reactor pipeline.
	private volatile @Nullable NacosServiceInstanceListSupplier pushFed;

	/**
	 * Creates the balancer of a service.
	 * @param suppliers the service's instance supplier
	 * @param serviceId the service
	 * @param rules the rules in force
	 * @param localCluster this application's Nacos cluster, {@code null} for no cluster
	 * preference
	 */
	public NacosGrayLoadBalancer(ObjectProvider<ServiceInstanceListSupplier> suppliers, String serviceId,
			GrayRulesSource rules, @Nullable String localCluster) {
		this(suppliers, serviceId, rules, localCluster, null);
	}

	/**
	 * Creates the balancer of a service that also follows observed health and latency.
	 * @param suppliers the service's instance supplier
	 * @param serviceId the service
	 * @param rules the rules in force
	 * @param localCluster this application's Nacos cluster, {@code null} for no cluster
	 * preference
	 * @param stats health and latency observed by this application's calls, {@code null}
	 * for none
	 */
	public NacosGrayLoadBalancer(ObjectProvider<ServiceInstanceListSupplier> suppliers, String serviceId,
			GrayRulesSource rules, @Nullable String localCluster, @Nullable InstanceStatsRegistry stats) {
		this(suppliers, serviceId, rules, localCluster, stats, null);
	}

	NacosGrayLoadBalancer(ObjectProvider<ServiceInstanceListSupplier> suppliers, String serviceId,
			GrayRulesSource rules, @Nullable String localCluster, @Nullable InstanceStatsRegistry stats,
			@Nullable ConnectFailureRequeue requeue) {
		this.suppliers = suppliers;
		this.serviceId = serviceId;
		this.rules = rules;
		this.localCluster = localCluster;
		this.stats = stats;
		this.requeue = requeue;
	}

	@Override
	@SuppressWarnings("rawtypes")
	public Mono<Response<ServiceInstance>> choose(Request request) {
		ServiceInstanceListSupplier supplier = supplier();
		// Read now, on the caller's thread: a blocking client's call is found through it.
		RequeueAttempt attempt = (this.requeue != null) ? this.requeue.attemptOf(request, this.serviceId) : null;
		NacosServiceInstanceListSupplier pushFed = this.pushFed;
		if (pushFed != null) {
			// The push-fed supplier answers synchronously: skip the Flux it would wrap
			// its list in.
			return Mono.fromSupplier(() -> respond(supplier, pushFed.current(), request, attempt));
		}
		return supplier.get(request)
			.next()
			.map((instances) -> respond(supplier, instances, request, attempt))
			.defaultIfEmpty(NO_INSTANCE);
	}

	// The client context's supplier is a singleton: look it up once rather than per
	// request.
	private ServiceInstanceListSupplier supplier() {
		ServiceInstanceListSupplier supplier = this.supplier;
		if (supplier == null) {
			supplier = this.suppliers.getIfAvailable();
			if (supplier == null) {
				return new NoopServiceInstanceListSupplier();
			}
			this.pushFed = pushFedOnly(supplier);
			this.supplier = supplier;
		}
		return supplier;
	}

	// Not for a subclass of the push-fed supplier, which may filter in get(). Spring
	// Cloud's retry-aware wrapper only drops a retry's previous instance, which the
	// routing table avoids itself.
	private static @Nullable NacosServiceInstanceListSupplier pushFedOnly(ServiceInstanceListSupplier supplier) {
		ServiceInstanceListSupplier base = (supplier instanceof RetryAwareServiceInstanceListSupplier retryAware)
				? retryAware.getDelegate() : supplier;
		return (base.getClass() == NacosServiceInstanceListSupplier.class) ? (NacosServiceInstanceListSupplier) base
				: null;
	}

	private Response<ServiceInstance> respond(ServiceInstanceListSupplier supplier, List<ServiceInstance> instances,
			Request<?> request, @Nullable RequeueAttempt attempt) {
		// A retry's list may leave out the failed instance (Spring's retry-aware
		// supplier): route it by a table of its own rather than replace the one every
		// other request uses.
		ServiceInstance avoid = (request.getContext() instanceof RetryableRequestContext retry)
				? retry.getPreviousServiceInstance() : null;
		GrayRoutingTable table = (avoid != null) ? retryTableFor(instances) : tableFor(instances);
		HttpHeaders headers = headersOf(request);
		String version = null;
		String sticky = null;
		if (headers != null) {
			// Lower-case names: the case-insensitive header maps then need not convert
			// them per lookup.
			version = blankToNull(headers.getFirst(table.versionHeaderKey()));
			String stickyHeader = table.stickyHeaderKey();
			sticky = (stickyHeader != null) ? blankToNull(headers.getFirst(stickyHeader)) : null;
		}
		long now = (this.stats != null && table.needsClock()) ? this.stats.now() : 0;
		ServiceInstance chosen = (attempt != null && attempt.isRequeue())
				? requeueChoice(table, version, sticky, avoid, now, attempt)
				: table.choose(version, sticky, ThreadLocalRandom.current(), avoid, now);
		if (chosen == null) {
			return NO_INSTANCE;
		}
		if (attempt != null) {
			attempt.chosen(chosen);
		}
		if (supplier instanceof SelectedInstanceCallback callback) {
			callback.selectedServiceInstance(chosen);
		}
		return new DefaultResponse(chosen);
	}

	// A requeue goes to the pool the rules pick, without the instances this call failed
	// to connect to and those out for failed connects; none left ends the call.
	private @Nullable ServiceInstance requeueChoice(GrayRoutingTable table, @Nullable String version,
			@Nullable String sticky, @Nullable ServiceInstance avoid, long now, RequeueAttempt attempt) {
		WeightedInstances pool = table.pool(version, sticky, ThreadLocalRandom.current());
		if (pool == null || pool.isEmpty()) {
			attempt.exhausted("no instance of " + this.serviceId + " is left for the request");
			return null;
		}
		InstanceStatsRegistry stats = this.stats;
		ServiceInstance chosen = pool.pickExcluding(table.strategy(), ThreadLocalRandom.current(),
				(instance) -> attempt.hasFailedOn(instance) || (stats != null && stats.isConnectEjected(instance))
						|| (avoid != null && RequeueAttempt.sameAddress(avoid, instance)),
				now);
		if (chosen == null) {
			List<String> others = new ArrayList<>();
			for (ServiceInstance instance : pool.instances()) {
				if (!attempt.hasFailedOn(instance)) {
					others.add(RequeueAttempt.address(instance));
				}
			}
			attempt.exhausted(others.isEmpty() ? "no other instance of " + this.serviceId + " is left to try"
					: "the other instances " + others + " are out for refusing connections too");
		}
		return chosen;
	}

	/**
	 * The routing table for this instance list under the rules in force, rebuilt only
	 * when either changed.
	 * @param instances the supplier's instances
	 * @return the table
	 */
	GrayRoutingTable tableFor(List<ServiceInstance> instances) {
		GrayRules rules = this.rules.current();
		GrayRoutingTable table = this.table;
		InstanceStatsRegistry stats = this.stats;
		if (table != null && table.isBuiltFrom(instances, rules) && (stats == null || !table.isStale(stats))) {
			return table;
		}
		// A chain that narrows the list per request (hints, sticky sessions) alternates
		// between a few lists: keep the tables of the last few. Another supplier may hand
		// out an equal list in a new object each time: compare once, then by identity.
		GrayRoutingTable updated = null;
		for (int i = 0; i < this.recent.length() && updated == null; i++) {
			GrayRoutingTable candidate = this.recent.get(i);
			if (candidate == null || (stats != null && candidate.isStale(stats))) {
				continue;
			}
			if (candidate.isBuiltFrom(instances, rules)) {
				updated = candidate;
			}
			else if (candidate.appliesTo(instances, rules)) {
				updated = candidate.withSource(instances);
				this.recent.set(i, updated);
			}
		}
		if (updated == null) {
			updated = GrayRoutingTable.build(this.serviceId, instances, rules, this.localCluster, stats);
			this.recent.set(Math.floorMod(this.nextRecent.getAndIncrement(), this.recent.length()), updated);
		}
		this.table = updated;
		return updated;
	}

	private GrayRoutingTable retryTableFor(List<ServiceInstance> instances) {
		GrayRoutingTable table = this.table;
		if (table != null && table.isBuiltFrom(instances, this.rules.current())) {
			return tableFor(instances);
		}
		return GrayRoutingTable.build(this.serviceId, instances, this.rules.current(), this.localCluster, this.stats);
	}

	private static @Nullable HttpHeaders headersOf(Request<?> request) {
		if (request.getContext() instanceof RequestDataContext context) {
			RequestData data = context.getClientRequest();
			return (data != null) ? data.getHeaders() : null;
		}
		return null;
	}

	private static @Nullable String blankToNull(@Nullable String value) {
		return (value == null || value.isBlank()) ? null : value;
	}

	public String getServiceId() {
		return this.serviceId;
	}

}
