package dev.nacosboot.loadbalancer;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.util.ClassUtils;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * Puts gray-header propagation first on every {@code @LoadBalanced} {@link RestTemplate},
 * {@link RestClient.Builder} and {@code WebClient.Builder}, so that the balancer sees the
 * headers and the next service receives them. Clients that are not {@code @LoadBalanced}
 * (calls to third parties) never get them.
 */
class GrayHeaderPropagationPostProcessor implements BeanPostProcessor, BeanFactoryAware {

	private static final boolean WEB_CLIENT_PRESENT = ClassUtils.isPresent(
			"org.springframework.web.reactive.function.client.WebClient",
			GrayHeaderPropagationPostProcessor.class.getClassLoader());

	private final Supplier<GrayHeaderPropagation> propagation;

	private @Nullable ConfigurableListableBeanFactory beanFactory;

	GrayHeaderPropagationPostProcessor(Supplier<GrayHeaderPropagation> propagation) {
		this.propagation = propagation;
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
		if (bean instanceof RestTemplate template) {
			template.getInterceptors().add(0, new ServletGrayHeaderInterceptor(this.propagation.get()));
		}
		else if (bean instanceof RestClient.Builder builder) {
			builder.requestInterceptors(
					(interceptors) -> interceptors.add(0, new ServletGrayHeaderInterceptor(this.propagation.get())));
		}
		else {
			WebClientBuilders.addFirst(bean, new ReactiveGrayHeaderFilter(this.propagation.get()));
		}
		return bean;
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
			return bean instanceof org.springframework.web.reactive.function.client.WebClient.Builder;
		}

		static void addFirst(Object bean, ReactiveGrayHeaderFilter filter) {
			((org.springframework.web.reactive.function.client.WebClient.Builder) bean)
				.filters((filters) -> filters.add(0, filter));
		}

	}

}
