package dev.nacosboot.loadbalancer;

import org.jspecify.annotations.Nullable;
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
 * <p>
 * The sink is created by the first supplier, at the first call through a load balancer:
 * before that a change has no subscriber to reach, and Reactor's sinks need not load on
 * the path to ready.
 */
class InstanceChanges implements ApplicationListener<HeartbeatEvent>, DisposableBean {

	private volatile Sinks.@Nullable Many<Object> changes;

	private boolean closed;

	@Override
	public void onApplicationEvent(HeartbeatEvent event) {
		Sinks.Many<Object> sink = this.changes;
		if (sink != null) {
			sink.tryEmitNext(event.getValue());
		}
	}

	/**
	 * The changes from now on, never completing before the context closes.
	 * @return a signal per change
	 */
	Flux<Object> flux() {
		return sink().asFlux();
	}

	private synchronized Sinks.Many<Object> sink() {
		Sinks.Many<Object> sink = this.changes;
		if (sink == null) {
			sink = Sinks.many().multicast().directBestEffort();
			if (this.closed) {
				sink.tryEmitComplete();
			}
			this.changes = sink;
		}
		return sink;
	}

	@Override
	public synchronized void destroy() {
		this.closed = true;
		Sinks.Many<Object> sink = this.changes;
		if (sink != null) {
			sink.tryEmitComplete();
		}
	}

}
