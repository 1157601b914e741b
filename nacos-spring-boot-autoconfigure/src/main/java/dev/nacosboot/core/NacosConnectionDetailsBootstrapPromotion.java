package dev.nacosboot.core;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.bootstrap.BootstrapContextClosedEvent;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Makes {@link NacosConnectionDetails} registered in the {@code BootstrapRegistry} (by a
 * {@code BootstrapRegistryInitializer}) the application's {@code nacosConnectionDetails}
 * bean, so that one registration serves the config import and every client created later,
 * whether or not the application imports config.
 * <p>
 * Registered in {@code spring.factories}; not part of the starter's API.
 */
public final class NacosConnectionDetailsBootstrapPromotion implements EnvironmentPostProcessor, Ordered {

	private final ConfigurableBootstrapContext bootstrapContext;

	public NacosConnectionDetailsBootstrapPromotion(ConfigurableBootstrapContext bootstrapContext) {
		this.bootstrapContext = bootstrapContext;
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (this.bootstrapContext.isRegistered(NacosConnectionDetails.class)) {
			this.bootstrapContext.addCloseListener(NacosConnectionDetailsBootstrapPromotion::promote);
		}
	}

	private static void promote(BootstrapContextClosedEvent event) {
		ConfigurableListableBeanFactory beanFactory = event.getApplicationContext().getBeanFactory();
		String name = NacosCoreAutoConfiguration.CONNECTION_DETAILS_BEAN_NAME;
		if (!beanFactory.containsSingleton(name) && !beanFactory.containsBeanDefinition(name)) {
			beanFactory.registerSingleton(name, event.getBootstrapContext().get(NacosConnectionDetails.class));
		}
	}

}
