package dev.nacosboot.config;

import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Follows Spring Cloud's own refresh ({@code ContextRefresher}: {@code POST
 * /actuator/refresh}, Spring Cloud Bus' {@code RefreshRemoteApplicationEvent}, a direct
 * call), which reads the Nacos data ids again through the config-data loader and the
 * application's own clients: once the new sources are in the {@code Environment}, it
 * records what they hold, has the in-place refresh catch up where it had applied newer
 * content meanwhile, and updates {@code @Value} members as the in-place refresh does.
 */
class NacosContextRefreshListener implements ApplicationListener<EnvironmentChangeEvent> {

	private final ConfigurableApplicationContext context;

	private final ConfigChangeApplier applier;

	private final ObjectProvider<NacosConfigSources> sources;

	private final ObjectProvider<NacosConfigWatcher> watcher;

	private final ObjectProvider<ValueInjectionRefresher> values;

	public NacosContextRefreshListener(ConfigurableApplicationContext context, ConfigChangeApplier applier,
			ObjectProvider<NacosConfigSources> sources, ObjectProvider<NacosConfigWatcher> watcher,
			ObjectProvider<ValueInjectionRefresher> values) {
		this.context = context;
		this.applier = applier;
		this.sources = sources;
		this.watcher = watcher;
		this.values = values;
	}

	@Override
	public void onApplicationEvent(EnvironmentChangeEvent event) {
		// ContextRefresher names the context as the source; the in-place refresh names
		// itself and has done all of this already.
		if (event.getSource() != this.context) {
			return;
		}
		NacosConfigSources sources = this.sources.getIfAvailable();
		if (sources != null) {
			NacosConfigWatcher watcher = this.watcher.getIfAvailable();
			for (NacosConfigSources.Loaded overtaken : this.applier.contextRefreshed(sources)) {
				if (watcher != null) {
					watcher.readAgain(overtaken);
				}
			}
		}
		ValueInjectionRefresher values = this.values.getIfAvailable();
		if (values != null && !event.getKeys().isEmpty()) {
			Set<String> keys = new LinkedHashSet<>(event.getKeys());
			keys.addAll(ConfigChangeApplier.placeholderDependents(this.context.getEnvironment().getPropertySources(),
					event.getKeys()));
			values.refresh(keys);
		}
	}

}
