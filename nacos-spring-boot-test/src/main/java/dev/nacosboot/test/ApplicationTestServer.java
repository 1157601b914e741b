package dev.nacosboot.test;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.nacosboot.testserver.NacosTestServer;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.bootstrap.BootstrapContextClosedEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

/**
 * The embedded server started for one application: handed to its context as the bean
 * {@code nacosTestServer} and stopped with it, or stopped by
 * {@link NacosTestServerStartupFailureListener} when startup fails before the context was
 * refreshed. Lives in the application's bootstrap context.
 */
final class ApplicationTestServer {

	/** Name of the server's bean. */
	static final String BEAN_NAME = "nacosTestServer";

	private final NacosTestServer server;

	private final AtomicBoolean stopped = new AtomicBoolean();

	ApplicationTestServer(NacosTestServer server) {
		this.server = server;
	}

	NacosTestServer server() {
		return this.server;
	}

	void handOver(BootstrapContextClosedEvent event) {
		ConfigurableApplicationContext context = event.getApplicationContext();
		ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
		beanFactory.registerSingleton(BEAN_NAME, this.server);
		if (beanFactory instanceof DefaultSingletonBeanRegistry registry) {
			// Registered before any bean exists, so destroyed after all of them: the
			// application's Nacos clients deregister and shut down while the server
			// still answers. Also runs when the context's refresh fails.
			registry.registerDisposableBean(BEAN_NAME, this::stop);
		}
		else {
			context.addApplicationListener((ContextClosedEvent closed) -> {
				if (closed.getApplicationContext() == context) {
					stop();
				}
			});
		}
	}

	void stop() {
		if (this.stopped.compareAndSet(false, true)) {
			this.server.close();
		}
	}

}
