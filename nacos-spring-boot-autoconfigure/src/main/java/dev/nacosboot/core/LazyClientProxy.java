package dev.nacosboot.core;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.aop.TargetSource;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.ProxyFactory;

/**
 * A Nacos client bean that creates its client at its first call. Creating a client loads
 * nacos-client's gRPC stack and connects, about half a second of the main thread on a
 * fresh JVM: a bean that only injects a client (to publish config or look up instances
 * later) must not bring that back onto the path to ready.
 *
 * @author Nacos Spring Boot team
 */
public final class LazyClientProxy {

	private LazyClientProxy() {
	}

	/**
	 * A proxy of a client interface that asks the supplier for the client at each call;
	 * the supplier creates it once and returns the same client after.
	 * @param <T> the client interface
	 * @param type the client interface
	 * @param client returns the client, created on its first call
	 * @param classLoader where the proxy class is defined
	 * @return the proxy
	 */
	public static <T> T of(Class<T> type, Supplier<T> client, @Nullable ClassLoader classLoader) {
		ProxyFactory proxy = new ProxyFactory();
		proxy.addInterface(type);
		proxy.setTargetSource(new CreatingTargetSource(type, client));
		return type.cast(proxy.getProxy(classLoader));
	}

	/**
	 * Whether a bean is a proxy of {@link #of}.
	 * @param bean the bean
	 * @return whether it is
	 */
	public static boolean isLazyProxy(Object bean) {
		return bean instanceof Advised advised && advised.getTargetSource() instanceof CreatingTargetSource;
	}

	private record CreatingTargetSource(Class<?> type, Supplier<?> client) implements TargetSource {

		@Override
		public Class<?> getTargetClass() {
			return this.type;
		}

		@Override
		public Object getTarget() {
			return this.client.get();
		}

	}

}
