package dev.nacosboot.test;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Stops the embedded server of {@link NacosTestServerConnection} when startup fails
 * before the application context was refreshed (a failing {@code nacos:} import, for
 * one): a context that never refreshed destroys no bean when it closes. An active context
 * stops the server itself when it closes.
 */
final class NacosTestServerStartupFailureListener implements SpringApplicationRunListener {

	private @Nullable ConfigurableBootstrapContext bootstrapContext;

	NacosTestServerStartupFailureListener(SpringApplication application, String[] args) {
	}

	@Override
	public void starting(ConfigurableBootstrapContext bootstrapContext) {
		this.bootstrapContext = bootstrapContext;
	}

	@Override
	public void failed(@Nullable ConfigurableApplicationContext context, Throwable exception) {
		ConfigurableBootstrapContext bootstrapContext = this.bootstrapContext;
		if ((context == null || !context.isActive()) && bootstrapContext != null
				&& bootstrapContext.isRegistered(ApplicationTestServer.class)) {
			ApplicationTestServer server = bootstrapContext.get(ApplicationTestServer.class);
			if (server != null) {
				server.stop();
			}
		}
	}

}
