package dev.nacosboot.test;

import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.core.NacosCoreAutoConfiguration;
import dev.nacosboot.testserver.junit.NacosTarget;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.bootstrap.BootstrapContextClosedEvent;
import org.springframework.boot.bootstrap.BootstrapRegistry;
import org.springframework.boot.bootstrap.BootstrapRegistry.InstanceSupplier;
import org.springframework.boot.bootstrap.BootstrapRegistryInitializer;

/**
 * Gives a {@code SpringApplication} its Nacos connection in code: registers the
 * {@link NacosConnectionDetails} in the bootstrap registry, where
 * {@code spring.config.import=nacos:...} finds them before the application context
 * exists, and makes them the {@code nacosConnectionDetails} bean that discovery,
 * registration and the {@code ConfigService} bean use, whether or not the application
 * imports anything from Nacos. No {@code spring.cloud.nacos.*} property is set.
 *
 * <pre class="code">
 * new SpringApplicationBuilder(OrdersApplication.class)
 * 	.addBootstrapRegistryInitializer(NacosTestServerConnectionInitializer.of(nacos.target()))
 * 	.run();
 * </pre>
 */
public final class NacosTestServerConnectionInitializer implements BootstrapRegistryInitializer {

	private final NacosConnectionDetails details;

	private NacosTestServerConnectionInitializer(NacosConnectionDetails details) {
		this.details = details;
	}

	/**
	 * The connection of a test class: its embedded server, or the external Nacos of
	 * {@code NACOS_SERVER_ADDR} with its credentials; public namespace.
	 * @param target the target of a {@code NacosTestServerExtension}
	 * @return the initializer
	 */
	public static NacosTestServerConnectionInitializer of(NacosTarget target) {
		return of(NacosTestServerConnectionDetails.of(target));
	}

	/**
	 * A given connection, for example
	 * {@code NacosTestServerConnectionDetails.of(target).withNamespace("orders")}.
	 * @param details the connection details
	 * @return the initializer
	 */
	public static NacosTestServerConnectionInitializer of(NacosConnectionDetails details) {
		return new NacosTestServerConnectionInitializer(details);
	}

	@Override
	public void initialize(BootstrapRegistry registry) {
		register(registry, this.details);
	}

	/**
	 * Registers details for the config import and, when the bootstrap context closes, as
	 * the bean.
	 * @param registry the bootstrap registry of one application
	 * @param details the connection details
	 */
	static void register(BootstrapRegistry registry, NacosConnectionDetails details) {
		registry.register(NacosConnectionDetails.class, InstanceSupplier.of(details));
		registry.addCloseListener(NacosTestServerConnectionInitializer::registerBean);
	}

	private static void registerBean(BootstrapContextClosedEvent event) {
		ConfigurableListableBeanFactory beanFactory = event.getApplicationContext().getBeanFactory();
		String name = NacosCoreAutoConfiguration.CONNECTION_DETAILS_BEAN_NAME;
		// The starter promotes bootstrap details itself when a nacos: import ran; the
		// same instance, whichever comes first.
		NacosConnectionDetails details = event.getBootstrapContext().get(NacosConnectionDetails.class);
		if (details != null && !beanFactory.containsSingleton(name) && !beanFactory.containsBeanDefinition(name)) {
			beanFactory.registerSingleton(name, details);
		}
	}

}
