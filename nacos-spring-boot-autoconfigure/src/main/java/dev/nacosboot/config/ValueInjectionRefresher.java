package dev.nacosboot.config;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.TypeConverter;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.BridgeMethodResolver;
import org.springframework.core.MethodParameter;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.util.ClassUtils;
import org.springframework.util.PropertyPlaceholderHelper;
import org.springframework.util.ReflectionUtils;

/**
 * Updates {@code @Value} fields and single-argument {@code @Value} methods of ordinary
 * singleton beans in place when the keys of their placeholders change, including nested
 * placeholders and defaults ({@code ${a:${b:x}}}). Expressions with SpEL ({@code #{...}})
 * are left alone. A value that cannot be converted keeps the old one and is reported.
 * <p>
 * The members are those Spring injected: annotated, directly or through a
 * meta-annotation, on the bean's class or a superclass; not on an interface, nor on a
 * method that a subclass overrides without the annotation.
 * <p>
 * Visibility: members are written on the refresh thread (the config watcher's, or the
 * caller's of Spring Cloud's refresh). Another thread is only guaranteed to see the new
 * value of a field declared {@code volatile}, or of a {@code @Value} setter that
 * publishes it safely; the reference documentation says so.
 */
class ValueInjectionRefresher implements BeanPostProcessor, BeanFactoryAware {

	private static final Log logger = LogFactory.getLog(ValueInjectionRefresher.class);

	private static final PropertyPlaceholderHelper PLACEHOLDERS = new PropertyPlaceholderHelper("${", "}", ":", '\\',
			true);

	private final List<Injection> injections = new CopyOnWriteArrayList<>();

	private @Nullable ConfigurableListableBeanFactory beanFactory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = (beanFactory instanceof ConfigurableListableBeanFactory listable) ? listable : null;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		if (this.beanFactory == null || !isSingleton(beanName)) {
			return bean;
		}
		Object target = AopProxyUtils.getSingletonTarget(bean);
		Object instance = (target != null) ? target : bean;
		Class<?> type = ClassUtils.getUserClass(instance);
		if (!AnnotationUtils.isCandidateClass(type, Value.class)) {
			return bean;
		}
		// The members Spring injected, found by its own rules (those of
		// AutowiredAnnotationBeanPostProcessor), whose annotation lookups are cached.
		Class<?> declaring = type;
		do {
			ReflectionUtils.doWithLocalFields(declaring, (field) -> {
				String expression = valueOf(field);
				if (expression != null && !Modifier.isStatic(field.getModifiers())) {
					add(instance, beanName, field, expression);
				}
			});
			ReflectionUtils.doWithLocalMethods(declaring, (method) -> {
				if (method.isBridge() || method.getParameterCount() != 1 || Modifier.isStatic(method.getModifiers())) {
					return;
				}
				// The costly override check only for the few annotated methods.
				String expression = valueOf(method);
				if (expression != null && method.equals(BridgeMethodResolver.getMostSpecificMethod(method, type))) {
					add(instance, beanName, method, expression);
				}
			});
			declaring = declaring.getSuperclass();
		}
		while (declaring != null && declaring != Object.class);
		return bean;
	}

	private static @Nullable String valueOf(AnnotatedElement member) {
		MergedAnnotation<Value> value = MergedAnnotations.from(member).get(Value.class);
		return value.isPresent() ? value.getString(MergedAnnotation.VALUE) : null;
	}

	private boolean isSingleton(String beanName) {
		if (this.beanFactory == null || !this.beanFactory.containsBeanDefinition(beanName)) {
			return false;
		}
		BeanDefinition definition = this.beanFactory.getMergedBeanDefinition(beanName);
		return definition.isSingleton();
	}

	private void add(Object bean, String beanName, Member member, String expression) {
		if (expression.contains("#{")) {
			return;
		}
		Set<String> keys = new LinkedHashSet<>();
		PLACEHOLDERS.replacePlaceholders(expression, (key) -> {
			keys.add(key);
			return null;
		});
		if (!keys.isEmpty()) {
			this.injections.add(new Injection(bean, beanName, member, expression, keys));
		}
	}

	/**
	 * Re-injects the members whose placeholders use one of the keys.
	 * @param changedKeys the keys whose effective value changed
	 * @return problems, one per member that kept its old value
	 */
	List<String> refresh(Set<String> changedKeys) {
		List<String> problems = new ArrayList<>();
		ConfigurableListableBeanFactory beanFactory = this.beanFactory;
		if (beanFactory == null) {
			return problems;
		}
		Set<ConfigurationPropertyName> changedNames = new LinkedHashSet<>();
		changedKeys.forEach((key) -> changedNames.add(ConfigurationPropertyName.adapt(key, '.')));
		TypeConverter converter = beanFactory.getTypeConverter();
		for (Injection injection : this.injections) {
			if (!injection.uses(changedKeys, changedNames)) {
				continue;
			}
			try {
				String resolved = beanFactory.resolveEmbeddedValue(injection.expression());
				injection.inject(resolved, converter);
			}
			catch (RuntimeException ex) {
				String problem = "@Value(\"" + injection.expression() + "\") of bean '" + injection.beanName()
						+ "' kept its old value: " + ex.getMessage();
				logger.warn(problem);
				problems.add(problem);
			}
		}
		return problems;
	}

	private record Injection(Object bean, String beanName, Member member, String expression, Set<String> keys) {

		boolean uses(Set<String> changedKeys, Set<ConfigurationPropertyName> changedNames) {
			for (String key : this.keys) {
				if (changedKeys.contains(key) || changedNames.contains(ConfigurationPropertyName.adapt(key, '.'))) {
					return true;
				}
			}
			return false;
		}

		void inject(@Nullable String resolved, TypeConverter converter) {
			if (this.member instanceof Field field) {
				Object value = converter.convertIfNecessary(resolved, field.getType(), field);
				ReflectionUtils.makeAccessible(field);
				ReflectionUtils.setField(field, this.bean, value);
			}
			else if (this.member instanceof Method method) {
				Object value = converter.convertIfNecessary(resolved, method.getParameterTypes()[0],
						new MethodParameter(method, 0));
				ReflectionUtils.makeAccessible(method);
				ReflectionUtils.invokeMethod(method, this.bean, value);
			}
		}

	}

}
