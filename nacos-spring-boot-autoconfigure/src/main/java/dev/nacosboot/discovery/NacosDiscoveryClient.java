package dev.nacosboot.discovery;

import java.util.List;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * {@link DiscoveryClient} answering from the push-updated {@link NacosInstanceView} and
 * {@link NacosServiceListView}.
 */
public class NacosDiscoveryClient implements DiscoveryClient {

	private final NacosInstanceView view;

	private final NacosServiceListView services;

	public NacosDiscoveryClient(NacosInstanceView view, NacosServiceListView services) {
		this.view = view;
		this.services = services;
	}

	@Override
	public String description() {
		return "Nacos Discovery Client";
	}

	@Override
	public List<ServiceInstance> getInstances(String serviceId) {
		return List.copyOf(this.view.getInstances(serviceId));
	}

	@Override
	public List<String> getServices() {
		return this.services.getServices();
	}

	@Override
	public void probe() {
		if (!this.view.isServerUp()) {
			throw new IllegalStateException("The Nacos naming client is not connected to a server");
		}
	}

}
