package dev.nacosboot.test;

import dev.nacosboot.core.NacosConnectionDetails;
import dev.nacosboot.testserver.junit.NacosTarget;

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
	 * Registers details for the config import; the starter makes them the bean when the
	 * bootstrap context closes.
	 * @param registry the bootstrap registry of one application
	 * @param details the connection details
	 */
	static void register(BootstrapRegistry registry, NacosConnectionDetails details) {
		registry.register(NacosConnectionDetails.class, InstanceSupplier.of(details));
	}

}
