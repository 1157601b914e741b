package dev.nacosboot.loadbalancer;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Offers {@link NacosLoadBalancerProperties} to the {@link GrayRulesSource} each time the
 * bean is rebound: a config refresh, {@code /actuator/refresh} or Spring Cloud's rebinder
 * re-initialises it in place, and a bean post-processor sees every re-initialisation. So
 * the rules, the outlier and requeue settings and the propagated headers all come from
 * the one bound bean, after it was bound and validated, never from a half-bound one. The
 * first initialisation is skipped: the source is built from that binding.
 */
class LoadBalancerPropertiesRebinds implements BeanPostProcessor, BeanFactoryAware {

	private @Nullable ConfigurableListableBeanFactory beanFactory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		if (beanFactory instanceof ConfigurableListableBeanFactory listable) {
			this.beanFactory = listable;
		}
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		ConfigurableListableBeanFactory beanFactory = this.beanFactory;
		if (bean instanceof NacosLoadBalancerProperties properties && beanFactory != null) {
			// Only sources that exist already: asking for one here would create it from
			// the
			// bean being initialised.
			for (String name : beanFactory.getBeanNamesForType(GrayRulesSource.class, false, false)) {
				if (beanFactory.containsSingleton(name)
						&& beanFactory.getSingleton(name) instanceof GrayRulesSource source) {
					source.update(properties);
				}
			}
		}
		return bean;
	}

}
