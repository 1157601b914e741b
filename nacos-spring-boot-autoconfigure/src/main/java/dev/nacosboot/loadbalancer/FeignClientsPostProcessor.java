package dev.nacosboot.loadbalancer;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.function.Supplier;

import feign.Client;
import feign.Request;
import feign.Response;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.cloud.client.loadbalancer.LoadBalancedRetryFactory;
import org.springframework.cloud.client.loadbalancer.LoadBalancerClient;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.cloud.openfeign.loadbalancer.FeignBlockingLoadBalancerClient;
import org.springframework.cloud.openfeign.loadbalancer.LoadBalancerFeignRequestTransformer;
import org.springframework.cloud.openfeign.loadbalancer.RetryableFeignBlockingLoadBalancerClient;

/**
 * Gives OpenFeign's load-balanced client the requeue of calls that fail to connect:
 * Spring Cloud OpenFeign's {@link FeignBlockingLoadBalancerClient} (and, with Spring
 * Retry, its retrying variant) is replaced by a subclass that runs each call through
 * {@link ConnectFailureRequeue}. A subclass, so that a {@code @FeignClient(url = ...)}
 * still unwraps it to the plain HTTP client as OpenFeign does.
 */
class FeignClientsPostProcessor implements BeanPostProcessor, BeanFactoryAware {

	private static final String RETRYABLE_CLIENT = "org.springframework.cloud.openfeign.loadbalancer.RetryableFeignBlockingLoadBalancerClient";

	private final Supplier<@Nullable ConnectFailureRequeue> requeue;

	private @Nullable ListableBeanFactory beanFactory;

	FeignClientsPostProcessor(Supplier<@Nullable ConnectFailureRequeue> requeue) {
		this.requeue = requeue;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		if (beanFactory instanceof ListableBeanFactory listable) {
			this.beanFactory = listable;
		}
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		ListableBeanFactory beanFactory = this.beanFactory;
		if (beanFactory == null || !(bean instanceof Client)) {
			return bean;
		}
		boolean plain = bean.getClass() == FeignBlockingLoadBalancerClient.class;
		boolean retrying = bean.getClass().getName().equals(RETRYABLE_CLIENT);
		if (!plain && !retrying) {
			return bean;
		}
		ConnectFailureRequeue requeue = this.requeue.get();
		if (requeue == null) {
			return bean;
		}
		LoadBalancerClient loadBalancer = beanFactory.getBean(LoadBalancerClient.class);
		LoadBalancerClientFactory clientFactory = beanFactory.getBean(LoadBalancerClientFactory.class);
		List<LoadBalancerFeignRequestTransformer> transformers = beanFactory
			.getBeanProvider(LoadBalancerFeignRequestTransformer.class)
			.orderedStream()
			.toList();
		if (plain) {
			return new RequeueingClient(((FeignBlockingLoadBalancerClient) bean).getDelegate(), loadBalancer,
					clientFactory, transformers, requeue);
		}
		return Retrying.wrap(bean, beanFactory, loadBalancer, clientFactory, transformers, requeue);
	}

	private static String serviceIdOf(Request request) {
		return URI.create(request.url()).getHost();
	}

	/**
	 * OpenFeign's load-balanced client, each call requeued while it fails to connect.
	 */
	static final class RequeueingClient extends FeignBlockingLoadBalancerClient {

		private final ConnectFailureRequeue requeue;

		RequeueingClient(Client delegate, LoadBalancerClient loadBalancerClient,
				LoadBalancerClientFactory loadBalancerClientFactory,
				List<LoadBalancerFeignRequestTransformer> transformers, ConnectFailureRequeue requeue) {
			super(delegate, loadBalancerClient, loadBalancerClientFactory, transformers);
			this.requeue = requeue;
		}

		@Override
		public Response execute(Request request, Request.Options options) throws IOException {
			String serviceId = serviceIdOf(request);
			if (serviceId == null) {
				return super.execute(request, options);
			}
			return this.requeue.execute(serviceId, () -> super.execute(request, options));
		}

	}

	// Loaded only when Spring Retry's client is in use.
	private static final class Retrying {

		static Object wrap(Object bean, ListableBeanFactory beanFactory, LoadBalancerClient loadBalancer,
				LoadBalancerClientFactory clientFactory, List<LoadBalancerFeignRequestTransformer> transformers,
				ConnectFailureRequeue requeue) {
			return new RequeueingRetryableClient(((RetryableFeignBlockingLoadBalancerClient) bean).getDelegate(),
					loadBalancer, beanFactory.getBean(LoadBalancedRetryFactory.class), clientFactory, transformers,
					requeue);
		}

	}

	/**
	 * OpenFeign's retrying load-balanced client, each call requeued while all its
	 * attempts failed to connect.
	 */
	static final class RequeueingRetryableClient extends RetryableFeignBlockingLoadBalancerClient {

		private final ConnectFailureRequeue requeue;

		RequeueingRetryableClient(Client delegate, LoadBalancerClient loadBalancerClient,
				LoadBalancedRetryFactory retryFactory, LoadBalancerClientFactory loadBalancerClientFactory,
				List<LoadBalancerFeignRequestTransformer> transformers, ConnectFailureRequeue requeue) {
			super(delegate, loadBalancerClient, retryFactory, loadBalancerClientFactory, transformers);
			this.requeue = requeue;
		}

		@Override
		public Response execute(Request request, Request.Options options) throws IOException {
			String serviceId = serviceIdOf(request);
			if (serviceId == null) {
				return super.execute(request, options);
			}
			return this.requeue.execute(serviceId, () -> super.execute(request, options));
		}

	}

}
