package dev.nacosboot.config;

import java.time.Duration;

import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With Spring Cloud's refresh scope off ({@code spring.cloud.refresh.enabled=false}, as
 * Spring AOT needs), a change published to Nacos still reaches a {@code @RefreshScope}
 * bean: the starter's scope serves it and the in-place refresh renews it.
 */
class NacosRefreshScopeIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	@Test
	void aPublishedChangeRenewsTheRefreshScopeBeanWithoutSpringCloudsScope() throws Exception {
		String group = nacos.target().unique("own-scope");
		try (ConfigPublisher publisher = new ConfigPublisher(nacos.target())) {
			publisher.publishReadable("scoped.properties", group, "scoped.text=first\n", "properties");
			try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ScopedApplication.class)
				.web(WebApplicationType.NONE)
				.run(ConfigImportTestSupport.args(nacos.target(),
						"--spring.config.import=nacos:scoped.properties?group=" + group + "&refreshEnabled=true",
						"--spring.cloud.refresh.enabled=false"))) {
				assertThat(context.getBeanFactory().getRegisteredScope(NacosRefreshScope.NAME))
					.isInstanceOf(NacosRefreshScope.class);
				Text text = context.getBean(Text.class);
				assertThat(text.value()).isEqualTo("first");
				await().atMost(Duration.ofSeconds(30))
					.until(() -> context.getBean(NacosConfigWatcher.class).isListening());

				publisher.publish("scoped.properties", group, "scoped.text=second\n", "properties");
				await().atMost(Duration.ofSeconds(30)).until(() -> text.value().equals("second"));
			}
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ScopedApplication {

		@Bean
		@RefreshScope
		Text text(@Value("${scoped.text}") String value) {
			return new Text(value);
		}

	}

	static class Text {

		private final String value;

		Text(String value) {
			this.value = value;
		}

		String value() {
			return this.value;
		}

	}

}
