package dev.nacosboot.loadbalancer;

import java.util.Collections;
import java.util.List;

import dev.nacosboot.discovery.NacosInstanceView;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Instances of one service straight from the push-updated {@link NacosInstanceView}: no
 * TTL cache, so an instance removed or added by a push is out of or in the next choice.
 * It is the base of every client's supplier chain; Spring Cloud's delegating suppliers
 * (zone preference, health checks, hints, ...) wrap it. Between pushes it hands out the
 * very same list object, which lets the balancer reuse its routing table after an O(1)
 * identity check.
 */
public class NacosServiceInstanceListSupplier implements ServiceInstanceListSupplier {

	private static final Object FIRST_LIST = new Object();

	private final NacosInstanceView view;

	private final String serviceId;

	private final @Nullable Flux<?> changes;

	private volatile @Nullable Snapshot last;

	public NacosServiceInstanceListSupplier(NacosInstanceView view, String serviceId) {
		this(view, serviceId, null);
	}

	NacosServiceInstanceListSupplier(NacosInstanceView view, String serviceId, @Nullable Flux<?> changes) {
		this.view = view;
		this.serviceId = serviceId;
		this.changes = changes;
	}

	/**
	 * The push-fed supplier of a load-balancer client context, for a chain of your own:
	 * {@code ServiceInstanceListSupplier.builder().withBase(NacosServiceInstanceListSupplier.of(context)).withHints().build(context)}.
	 * @param context the client context (its environment names the service)
	 * @return the supplier
	 */
	public static NacosServiceInstanceListSupplier of(ConfigurableApplicationContext context) {
		InstanceChanges changes = context.getBeanProvider(InstanceChanges.class).getIfAvailable();
		return new NacosServiceInstanceListSupplier(context.getBean(NacosInstanceView.class),
				LoadBalancerClientFactory.getName(context.getEnvironment()), (changes != null) ? changes.flux() : null);
	}

	@Override
	public String getServiceId() {
		return this.serviceId;
	}

	/**
	 * The current instances, then the instances after each change of them, for as long as
	 * the subscriber stays: a balancer takes the first list, Spring Cloud's health-check
	 * supplier follows the stream.
	 * @return the lists
	 */
	@Override
	public Flux<List<ServiceInstance>> get() {
		Flux<?> changes = this.changes;
		if (changes == null) {
			return Flux.defer(() -> Flux.just(current()));
		}
		// Follow the changes before reading the first list, so that a push in between is
		// not missed; read each list after its signal has been serialized, so that the
		// last list emitted is never older than the last change.
		return Flux.merge(changes, Mono.just(FIRST_LIST)).map((signal) -> current()).distinctUntilChanged();
	}

	/**
	 * The current instances; the same object as long as no subscribed service changed.
	 * @return the instances
	 */
	public List<ServiceInstance> current() {
		// Read the counter first: a push between the two reads leaves a stale counter, so
		// the next call reloads.
		long changes = this.view.getChangeCount();
		Snapshot last = this.last;
		if (last != null && last.changes() == changes) {
			return last.instances();
		}
		List<ServiceInstance> instances = Collections.unmodifiableList(this.view.getInstances(this.serviceId));
		this.last = new Snapshot(changes, instances);
		return instances;
	}

	private record Snapshot(long changes, List<ServiceInstance> instances) {

	}

}
