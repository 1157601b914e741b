package dev.nacosboot.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which {@code @Value} members are re-injected: exactly those Spring injected at startup.
 */
class ValueInjectionRefresherTests {

	private final Map<String, Object> values = new HashMap<>(Map.of("own.field", "1", "own.setter", "1", "meta.key",
			"1", "parent.field", "1", "parent.setter", "1", "overridden", "1", "interface.setter", "1", "spel", "1"));

	@Test
	void refreshReinjectsTheMembersSpringInjected() {
		try (AnnotationConfigApplicationContext context = context()) {
			Sample sample = context.getBean(Sample.class);
			assertThat(sample.ownField).isEqualTo("1");
			assertThat(sample.ownSetter).isEqualTo("1");
			assertThat(sample.metaAnnotated).isEqualTo("1");
			assertThat(sample.parentField).isEqualTo("1");
			assertThat(sample.parentSetter).isEqualTo("1");
			this.values.replaceAll((key, value) -> "2");

			assertThat(context.getBean(ValueInjectionRefresher.class).refresh(this.values.keySet())).isEmpty();

			assertThat(sample.ownField).isEqualTo("2");
			assertThat(sample.ownSetter).isEqualTo("2");
			assertThat(sample.metaAnnotated).isEqualTo("2");
			assertThat(sample.parentField).isEqualTo("2");
			assertThat(sample.parentSetter).isEqualTo("2");
		}
	}

	@Test
	void refreshLeavesWhatSpringDidNotInjectAlone() {
		try (AnnotationConfigApplicationContext context = context()) {
			Sample sample = context.getBean(Sample.class);
			// An override without the annotation and an interface's annotation: Spring
			// injects neither, so neither is updated later.
			assertThat(sample.overridden).isNull();
			assertThat(sample.interfaceSetter).isNull();
			assertThat(sample.spel).isEqualTo("1!");
			this.values.replaceAll((key, value) -> "2");

			context.getBean(ValueInjectionRefresher.class).refresh(this.values.keySet());

			assertThat(sample.overridden).isNull();
			assertThat(sample.interfaceSetter).isNull();
			assertThat(sample.spel).isEqualTo("1!");
		}
	}

	@Test
	void refreshUpdatesOnlyTheMembersOfTheChangedKeys() {
		try (AnnotationConfigApplicationContext context = context()) {
			Sample sample = context.getBean(Sample.class);
			this.values.replaceAll((key, value) -> "2");

			context.getBean(ValueInjectionRefresher.class).refresh(Set.of("parent.field"));

			assertThat(sample.parentField).isEqualTo("2");
			assertThat(sample.ownField).isEqualTo("1");
		}
	}

	private AnnotationConfigApplicationContext context() {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", this.values));
		context.registerBean(ValueInjectionRefresher.class);
		context.registerBean(Sample.class);
		context.refresh();
		return context;
	}

	@Retention(RetentionPolicy.RUNTIME)
	@Target(ElementType.FIELD)
	@Value("${meta.key}")
	@interface MetaKey {

	}

	interface Configurable {

		@Value("${interface.setter}")
		void setInterfaceSetter(String value);

	}

	static class Parent {

		@Value("${parent.field}")
		String parentField;

		String parentSetter;

		String overridden;

		@Value("${parent.setter}")
		void setParentSetter(String value) {
			this.parentSetter = value;
		}

		@Value("${overridden}")
		void setOverridden(String value) {
			this.overridden = value;
		}

	}

	static class Sample extends Parent implements Configurable {

		@Value("${own.field}")
		String ownField;

		@MetaKey
		String metaAnnotated;

		@Value("#{'${spel}' + '!'}")
		String spel;

		String ownSetter;

		String interfaceSetter;

		@Value("${own.setter}")
		void setOwnSetter(String value) {
			this.ownSetter = value;
		}

		@Override
		void setOverridden(String value) {
			this.overridden = value;
		}

		@Override
		public void setInterfaceSetter(String value) {
			this.interfaceSetter = value;
		}

	}

}
