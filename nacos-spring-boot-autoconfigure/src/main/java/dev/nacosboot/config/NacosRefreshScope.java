package dev.nacosboot.config;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectFactory;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.Scope;

/**
 * The {@code refresh} scope of {@code @RefreshScope} beans when Spring Cloud's own is off
 * ({@code spring.cloud.refresh.enabled=false}, which Spring AOT needs): each bean is
 * created at its first use and created again at its first use after a config change the
 * starter applied. Spring Cloud's scope rewrites the definitions of the scoped proxies,
 * which ahead-of-time processing cannot generate; this one keeps Spring's plain scoped
 * proxies, so an application processed ahead of time keeps its {@code @RefreshScope}
 * beans.
 * <p>
 * Registered by its own bean as a {@link BeanFactoryPostProcessor}, which runs in a
 * processed application too; a scope of that name registered by someone else wins.
 */
final class NacosRefreshScope implements Scope, BeanFactoryPostProcessor, DisposableBean {

	/** Name of the scope of {@code @RefreshScope}. */
	static final String NAME = "refresh";

	private final Map<String, Object> instances = new ConcurrentHashMap<>();

	private final Map<String, Runnable> destructionCallbacks = new ConcurrentHashMap<>();

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		if (beanFactory.getRegisteredScope(NAME) == null) {
			beanFactory.registerScope(NAME, this);
		}
	}

	@Override
	public Object get(String name, ObjectFactory<?> objectFactory) {
		Object existing = this.instances.get(name);
		if (existing != null) {
			return existing;
		}
		// Not computeIfAbsent: creating one scoped bean may create another.
		synchronized (this) {
			existing = this.instances.get(name);
			if (existing == null) {
				existing = objectFactory.getObject();
				this.instances.put(name, existing);
			}
			return existing;
		}
	}

	@Override
	public @Nullable Object remove(String name) {
		Object removed;
		Runnable callback;
		synchronized (this) {
			removed = this.instances.remove(name);
			callback = this.destructionCallbacks.remove(name);
		}
		if (callback != null) {
			callback.run();
		}
		return removed;
	}

	@Override
	public void registerDestructionCallback(String name, Runnable callback) {
		this.destructionCallbacks.put(name, callback);
	}

	@Override
	public @Nullable Object resolveContextualObject(String key) {
		return null;
	}

	@Override
	public @Nullable String getConversationId() {
		return null;
	}

	/**
	 * Drops every bean of the scope (destroying it), so that its next use creates it from
	 * the current environment.
	 */
	void refreshAll() {
		for (String name : this.instances.keySet()) {
			remove(name);
		}
	}

	/**
	 * Whether a bean of the scope exists now.
	 * @param name the scoped target's bean name
	 * @return whether it exists
	 */
	boolean contains(String name) {
		return this.instances.containsKey(name);
	}

	@Override
	public void destroy() {
		refreshAll();
	}

}
