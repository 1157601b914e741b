package dev.nacosboot.discovery;

import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;

/**
 * {@link ReactiveDiscoveryClient} answering from the push-updated
 * {@link NacosInstanceView} and {@link NacosServiceListView}. Only the first request for
 * a service (which subscribes) touches the network, and only a service listing before the
 * first list is known waits for it; both run on the bounded elastic scheduler.
 */
public class NacosReactiveDiscoveryClient implements ReactiveDiscoveryClient {

	private final NacosInstanceView view;

	private final NacosServiceListView services;

	public NacosReactiveDiscoveryClient(NacosInstanceView view, NacosServiceListView services) {
		this.view = view;
		this.services = services;
	}

	@Override
	public String description() {
		return "Nacos Reactive Discovery Client";
	}

	@Override
	public Flux<ServiceInstance> getInstances(String serviceId) {
		Flux<ServiceInstance> instances = Flux
			.defer(() -> Flux.<ServiceInstance>fromIterable(this.view.getInstances(serviceId)));
		// A gateway rebuilding its routes asks for every service: no thread hop for
		// those already in memory.
		return this.view.isSubscribed(serviceId) ? instances : instances.subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public Flux<String> getServices() {
		if (this.services.isReady()) {
			return Flux.defer(() -> Flux.fromIterable(this.services.getServices()));
		}
		return Flux.defer(() -> Flux.fromIterable(this.services.getServices()))
			.subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public void probe() {
		if (!this.view.isServerUp()) {
			throw new IllegalStateException("The Nacos naming client is not connected to a server");
		}
	}

}
