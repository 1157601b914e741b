package dev.nacosboot.loadbalancer;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.util.ClassUtils;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Puts the starter's steps first on every {@code @LoadBalanced} {@link RestTemplate},
 * {@link RestClient.Builder} and {@code WebClient.Builder}, ahead of Spring Cloud's
 * load-balancer interceptor or filter: gray-header propagation (when enabled), so that
 * the balancer sees the headers and the next service receives them, then the requeue of
 * calls that fail to connect, which runs the load-balancer step again for each attempt.
 * Clients that are not {@code @LoadBalanced} (calls to third parties) get neither.
 */
class LoadBalancedClientsPostProcessor implements BeanPostProcessor, BeanFactoryAware {

	private static final boolean WEB_CLIENT_PRESENT = ClassUtils.isPresent(
			"org.springframework.web.reactive.function.client.WebClient",
			LoadBalancedClientsPostProcessor.class.getClassLoader());

	private final Supplier<@Nullable GrayHeaderPropagation> propagation;

	private final Supplier<@Nullable ConnectFailureRequeue> requeue;

	private @Nullable ConfigurableListableBeanFactory beanFactory;

	LoadBalancedClientsPostProcessor(Supplier<@Nullable GrayHeaderPropagation> propagation,
			Supplier<@Nullable ConnectFailureRequeue> requeue) {
		this.propagation = propagation;
		this.requeue = requeue;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		if (beanFactory instanceof ConfigurableListableBeanFactory listable) {
			this.beanFactory = listable;
		}
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		if (!(bean instanceof RestTemplate || bean instanceof RestClient.Builder || isWebClientBuilder(bean))
				|| !isLoadBalanced(beanName)) {
			return bean;
		}
		// Added at the front one after the other: propagation ends up first.
		ConnectFailureRequeue requeue = this.requeue.get();
		if (requeue != null) {
			if (bean instanceof RestTemplate || bean instanceof RestClient.Builder) {
				addFirst(bean, new RequeueClientHttpRequestInterceptor(requeue));
			}
			else {
				WebClientBuilders.addRequeue(bean, requeue);
			}
		}
		GrayHeaderPropagation propagation = this.propagation.get();
		if (propagation != null) {
			if (bean instanceof RestTemplate || bean instanceof RestClient.Builder) {
				addFirst(bean, new ServletGrayHeaderInterceptor(propagation));
			}
			else {
				WebClientBuilders.addPropagation(bean, propagation);
			}
		}
		return bean;
	}

	private static void addFirst(Object bean, ClientHttpRequestInterceptor interceptor) {
		if (bean instanceof RestTemplate template) {
			template.getInterceptors().add(0, interceptor);
		}
		else if (bean instanceof RestClient.Builder builder) {
			builder.requestInterceptors((interceptors) -> interceptors.add(0, interceptor));
		}
	}

	private boolean isLoadBalanced(String beanName) {
		ConfigurableListableBeanFactory beanFactory = this.beanFactory;
		return beanFactory != null && beanFactory.containsBeanDefinition(beanName)
				&& beanFactory.findAnnotationOnBean(beanName, LoadBalanced.class) != null;
	}

	private static boolean isWebClientBuilder(Object bean) {
		return WEB_CLIENT_PRESENT && WebClientBuilders.isBuilder(bean);
	}

	// Separate so that WebClient is only loaded when it is on the class path.
	private static final class WebClientBuilders {

		static boolean isBuilder(Object bean) {
			return bean instanceof WebClient.Builder;
		}

		static void addRequeue(Object bean, ConnectFailureRequeue requeue) {
			addFirst(bean, new RequeueExchangeFilterFunction(requeue));
		}

		static void addPropagation(Object bean, GrayHeaderPropagation propagation) {
			addFirst(bean, new ReactiveGrayHeaderFilter(propagation));
		}

		private static void addFirst(Object bean, ExchangeFilterFunction filter) {
			((WebClient.Builder) bean).filters((filters) -> filters.add(0, filter));
		}

	}

}
