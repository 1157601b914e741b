package dev.nacosboot.loadbalancer;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationListener;

/**
 * A signal for each change of the Nacos instance view (its {@link HeartbeatEvent}), so
 * that the push-fed suppliers of the load-balancer client contexts - which are children
 * of the application context and do not see its events - can emit a new list when one
 * changes. Spring Cloud's health-check supplier follows such a stream, so a pushed
 * instance is health-checked without waiting for a refetch.
 */
class InstanceChanges implements ApplicationListener<HeartbeatEvent>, DisposableBean {

	private final Sinks.Many<Object> changes = Sinks.many().multicast().directBestEffort();

	@Override
	public void onApplicationEvent(HeartbeatEvent event) {
		this.changes.tryEmitNext(event.getValue());
	}

	/**
	 * The changes from now on, never completing before the context closes.
	 * @return a signal per change
	 */
	Flux<Object> flux() {
		return this.changes.asFlux();
	}

	@Override
	public void destroy() {
		this.changes.tryEmitComplete();
	}

}
