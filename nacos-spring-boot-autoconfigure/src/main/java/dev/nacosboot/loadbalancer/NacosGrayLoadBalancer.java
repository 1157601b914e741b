package dev.nacosboot.loadbalancer;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

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
import org.springframework.cloud.loadbalancer.core.SelectedInstanceCallback;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.http.HttpHeaders;

/**
 * The balancer of one service: weighted choice, cluster preference and gray routing by
 * version header and canary percentage, then the service's strategy over effective
 * weights (Nacos weight x published load x observed health). It keeps one
 * {@link GrayRoutingTable} and rebuilds it only when the supplier's instance list, the
 * rules in force or an instance's observed health changed, so a choice costs an identity
 * check and a pick (O(1) or O(log n)). A retried call avoids the instance its previous
 * attempt failed on when the pool has another. No instance for a request yields an
 * {@link EmptyResponse} (a 503 for reactive clients and the gateway), never {@code null}.
 */
public class NacosGrayLoadBalancer implements ReactorServiceInstanceLoadBalancer {

	private static final Response<ServiceInstance> NO_INSTANCE = new EmptyResponse();

	private final ObjectProvider<ServiceInstanceListSupplier> suppliers;

	private final String serviceId;

	private final GrayRulesSource rules;

	private final @Nullable String localCluster;

	private final @Nullable InstanceStatsRegistry stats;

	private volatile @Nullable GrayRoutingTable table;

	private volatile @Nullable ServiceInstanceListSupplier supplier;

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
		this.suppliers = suppliers;
		this.serviceId = serviceId;
		this.rules = rules;
		this.localCluster = localCluster;
		this.stats = stats;
	}

	@Override
	@SuppressWarnings("rawtypes")
	public Mono<Response<ServiceInstance>> choose(Request request) {
		ServiceInstanceListSupplier supplier = supplier();
		// The push-fed supplier answers synchronously: skip the Flux it would wrap its
		// list in (not for a subclass,
		// which may filter in get()).
		if (supplier.getClass() == NacosServiceInstanceListSupplier.class) {
			NacosServiceInstanceListSupplier nacos = (NacosServiceInstanceListSupplier) supplier;
			return Mono.fromSupplier(() -> respond(nacos, nacos.current(), request));
		}
		return supplier.get(request)
			.next()
			.map((instances) -> respond(supplier, instances, request))
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
			this.supplier = supplier;
		}
		return supplier;
	}

	private Response<ServiceInstance> respond(ServiceInstanceListSupplier supplier, List<ServiceInstance> instances,
			Request<?> request) {
		// A retry's list may leave out the failed instance (Spring's retry-aware
		// supplier): route it by a table of
		// its own rather than replace the one every other request uses.
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
		// A retry asks for another instance than the one that just failed (Spring Cloud's
		// retry passes it).
		long now = (this.stats != null && table.needsClock()) ? this.stats.now() : 0;
		ServiceInstance chosen = table.choose(version, sticky, ThreadLocalRandom.current(), avoid, now);
		if (chosen == null) {
			return NO_INSTANCE;
		}
		if (supplier instanceof SelectedInstanceCallback callback) {
			callback.selectedServiceInstance(chosen);
		}
		return new DefaultResponse(chosen);
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
		boolean stale = stats != null && table != null && table.isStale(stats);
		if (table != null && !stale && table.isBuiltFrom(instances, rules)) {
			return table;
		}
		// Another supplier may hand out an equal list in a new object each time: compare
		// once, then by identity.
		GrayRoutingTable updated = (table != null && !stale && table.appliesTo(instances, rules))
				? table.withSource(instances)
				: GrayRoutingTable.build(this.serviceId, instances, rules, this.localCluster, stats);
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
