package dev.nacosboot.config;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Closes the clients that {@code nacos:} imports opened when startup fails before the
 * application context took them over (a missing required data id, an invalid import, a
 * failure of another import or post-processor): afterwards the context closes them.
 */
public class NacosConfigStartupFailureListener implements SpringApplicationRunListener {

	private @Nullable ConfigurableBootstrapContext bootstrapContext;

	public NacosConfigStartupFailureListener(SpringApplication application, String[] args) {
	}

	@Override
	public void starting(ConfigurableBootstrapContext bootstrapContext) {
		this.bootstrapContext = bootstrapContext;
	}

	@Override
	public void failed(@Nullable ConfigurableApplicationContext context, Throwable exception) {
		ConfigurableBootstrapContext bootstrapContext = this.bootstrapContext;
		if (bootstrapContext != null && bootstrapContext.isRegistered(NacosConfigBootstrap.class)) {
			NacosConfigBootstrap bootstrap = bootstrapContext.get(NacosConfigBootstrap.class);
			if (bootstrap.applicationContext() == null) {
				bootstrap.closeClients();
			}
		}
	}

}
