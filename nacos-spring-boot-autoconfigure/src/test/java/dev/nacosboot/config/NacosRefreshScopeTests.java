package dev.nacosboot.config;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.cloud.autoconfigure.ConfigurationPropertiesRebinderAutoConfiguration;
import org.springframework.cloud.autoconfigure.RefreshAutoConfiguration;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's {@code refresh} scope: there only while Spring Cloud's is off, creates a
 * {@code @RefreshScope} bean once, and after {@code refreshAll()} destroys it and creates
 * it again from the current environment at its next use.
 */
class NacosRefreshScopeTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RefreshAutoConfiguration.class,
				ConfigurationPropertiesRebinderAutoConfiguration.class, NacosConfigAutoConfiguration.class))
		.withUserConfiguration(Scoped.class);

	@Test
	void springCloudsScopeServesRefreshScopeByDefault() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(NacosRefreshScope.class);
			assertThat(context.getBeanFactory().getRegisteredScope(NacosRefreshScope.NAME))
				.isInstanceOf(org.springframework.cloud.context.scope.refresh.RefreshScope.class);
		});
	}

	@Test
	void withSpringCloudsRefreshOffTheStartersScopeRebuildsBeansAfterRefreshAll() {
		this.runner.withPropertyValues("spring.cloud.refresh.enabled=false", "scoped.text=one").run((context) -> {
			assertThat(context).hasNotFailed();
			NacosRefreshScope scope = context.getBean(NacosRefreshScope.class);
			assertThat(context.getBeanFactory().getRegisteredScope(NacosRefreshScope.NAME)).isSameAs(scope);
			Greeting greeting = context.getBean(Greeting.class);
			assertThat(greeting.text()).isEqualTo("one");
			assertThat(greeting.text()).isEqualTo("one");
			Counters counters = context.getBean(Counters.class);
			assertThat(counters.created).hasValue(1);

			TestPropertyValues.of("scoped.text=two").applyTo(context.getEnvironment());
			assertThat(greeting.text()).as("unchanged until the scope refreshes").isEqualTo("one");
			scope.refreshAll();
			assertThat(counters.destroyed).hasValue(1);
			assertThat(scope.contains("scopedTarget.greeting")).isFalse();
			assertThat(greeting.text()).isEqualTo("two");
			assertThat(counters.created).hasValue(2);
		});
	}

	@Test
	void closingTheContextDestroysTheScopedBeans() {
		Counters[] counters = new Counters[1];
		this.runner.withPropertyValues("spring.cloud.refresh.enabled=false", "scoped.text=one").run((context) -> {
			context.getBean(Greeting.class).text();
			counters[0] = context.getBean(Counters.class);
		});
		assertThat(counters[0].destroyed).hasValue(1);
	}

	@Configuration(proxyBeanMethods = false)
	static class Scoped {

		@Bean
		Counters counters() {
			return new Counters();
		}

		@Bean
		@RefreshScope
		Greeting greeting(@Value("${scoped.text:none}") String text, Counters counters) {
			counters.created.incrementAndGet();
			return new Greeting(text, counters);
		}

	}

	static class Counters {

		final AtomicInteger created = new AtomicInteger();

		final AtomicInteger destroyed = new AtomicInteger();

	}

	static class Greeting {

		private final String text;

		private final Counters counters;

		Greeting(String text, Counters counters) {
			this.text = text;
			this.counters = counters;
		}

		String text() {
			return this.text;
		}

		public void close() {
			this.counters.destroyed.incrementAndGet();
		}

	}

}
