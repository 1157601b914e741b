package dev.nacosboot.discovery;

import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;

/**
 * {@link ReactiveDiscoveryClient} answering from the push-updated
 * {@link NacosInstanceView}. Only the first request for a service (which subscribes) and
 * the service listing touch the network; they run on the bounded elastic scheduler.
 */
public class NacosReactiveDiscoveryClient implements ReactiveDiscoveryClient {

	private final NacosInstanceView view;

	public NacosReactiveDiscoveryClient(NacosInstanceView view) {
		this.view = view;
	}

	@Override
	public String description() {
		return "Nacos Reactive Discovery Client";
	}

	@Override
	public Flux<ServiceInstance> getInstances(String serviceId) {
		return Flux.defer(() -> Flux.<ServiceInstance>fromIterable(this.view.getInstances(serviceId)))
			.subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public Flux<String> getServices() {
		return Flux.defer(() -> Flux.fromIterable(this.view.getServices())).subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public void probe() {
		if (!this.view.isServerUp()) {
			throw new IllegalStateException("The Nacos naming client is not connected to a server");
		}
	}

}
