package dev.nacosboot.core;

import java.lang.reflect.Field;

/**
 * Reads nacos-client's internals that tell, without a request or a lock, whether a client
 * is connected. The fields read are registered for AOT by
 * {@link NacosClientRuntimeHints}.
 * <p>
 * Shared by the starter's packages, not part of its API: it may change in any release.
 */
public final class NacosClientInternals {

	private NacosClientInternals() {
	}

	/**
	 * The value of a declared field.
	 * @param target the object
	 * @param name the field's name
	 * @return its value
	 * @throws ReflectiveOperationException when there is no such field, or it is
	 * {@code null}
	 */
	public static Object field(Object target, String name) throws ReflectiveOperationException {
		Field field = target.getClass().getDeclaredField(name);
		field.setAccessible(true);
		Object value = field.get(target);
		if (value == null) {
			throw new NoSuchFieldException(name + " is null");
		}
		return value;
	}

}
