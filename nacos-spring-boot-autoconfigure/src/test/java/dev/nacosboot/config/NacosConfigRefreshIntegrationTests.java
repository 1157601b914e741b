package dev.nacosboot.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.nacosboot.config.NacosConfigRefreshHistory.Outcome;
import dev.nacosboot.config.NacosConfigRefreshHistory.Refresh;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.validation.annotation.Validated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hot reload of imported Nacos config in a running application, against the embedded test
 * server or, with {@code NACOS_SERVER_ADDR}, a real Nacos. One application for the whole
 * class.
 */
class NacosConfigRefreshIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static String group;

	private static ConfigPublisher publisher;

	private static ConfigurableApplicationContext context;

	private static String version = "0";

	@BeforeAll
	static void startApplication() {
		group = nacos.target().unique("refresh");
		publisher = new ConfigPublisher(nacos.target());
		publisher.publishReadable("common.properties", group, "app.greeting=from-shared\ncommon.only=c1\n",
				"properties");
		publisher.publishReadable("other.properties", group, "other.key=o1\nderived.greeting=${app.greeting}!\n",
				"properties");
		publisher.publishReadable("checked.properties", group, "checked.limit=10\n", "properties");
		publisher.publishReadable("app.yaml", group, appYaml("hello", 1, "5"), "yaml");
		context = new SpringApplicationBuilder(TestApplication.class).web(WebApplicationType.NONE)
			.run(ConfigImportTestSupport.args(nacos.target(),
					"--spring.config.import[0]=nacos:checked.properties,app.yaml,other.properties?group=" + group,
					"--spring.cloud.nacos.config.shared-configs[0].data-id=common.properties",
					"--spring.cloud.nacos.config.shared-configs[0].group=" + group,
					"--spring.cloud.nacos.config.shared-configs[0].refresh=true"));
		ConfigImportTestSupport.listening(context);
	}

	@AfterAll
	static void stopApplication() throws Exception {
		if (context != null) {
			context.close();
		}
		publisher.close();
	}

	private static String appYaml(String greeting, int count, String number) {
		// A fresh version key makes every publish a real change, so each test waits for
		// its own content.
		version = String.valueOf(System.nanoTime());
		return "app:\n  greeting: " + greeting + "\n  count: " + count + "\nvalue:\n  number: " + number + "\nversion: "
				+ version + "\n";
	}

	private static void publishApp(String content) {
		publisher.publish("app.yaml", group, content, "yaml");
	}

	private static List<Refresh> history() {
		return context.getBean(NacosConfigRefreshHistory.class).refreshes();
	}

	@Test
	void publishedChangeReachesConfigurationPropertiesRefreshScopeBeansAndValueMembers() {
		long start = System.nanoTime();
		publishApp(appYaml("bonjour", 2, "7"));

		await().atMost(TIMEOUT)
			.pollInterval(Duration.ofMillis(2))
			.until(() -> "bonjour".equals(context.getBean(AppProperties.class).getGreeting()));
		long properties = System.nanoTime();
		await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(2)).untilAsserted(() -> {
			ValueHolder values = context.getBean(ValueHolder.class);
			assertThat(context.getBean(AppProperties.class).getCount()).isEqualTo(2);
			assertThat(context.getBean(RefreshedGreeter.class).greeting()).isEqualTo("bonjour");
			assertThat(values.greeting).isEqualTo("bonjour");
			assertThat(values.count).isEqualTo(2);
			assertThat(values.nested).isEqualTo(2);
			assertThat(values.number).isEqualTo(7);
		});
		System.out.printf(
				"publish -> @ConfigurationProperties sees the new value: %.1f ms;"
						+ " -> @RefreshScope bean and @Value fields: %.1f ms%n",
				(properties - start) / 1e6, (System.nanoTime() - start) / 1e6);
	}

	@Test
	void oneEnvironmentChangeEventAndOneRefreshedEventPerChangeNameTheChangedKeys() {
		Events events = context.getBean(Events.class);
		events.clear();
		String content = appYaml("hola", 3, "5");
		publishApp(content);

		await().atMost(TIMEOUT)
			.until(() -> !events.refreshed.isEmpty() && events.refreshed.stream()
				.anyMatch((event) -> event.getMd5().equals(NacosConfigDataLoader.md5(content))));
		NacosConfigRefreshedEvent refreshed = events.refreshed.get(events.refreshed.size() - 1);
		assertThat(refreshed.getDataId()).isEqualTo("app.yaml");
		assertThat(refreshed.getGroup()).isEqualTo(group);
		assertThat(refreshed.getChangedKeys()).contains("app.greeting", "app.count", "version")
			.doesNotContain("other.key", "common.only");
		assertThat(events.environmentChanges).hasSize(events.refreshed.size());
		assertThat(events.environmentChanges.get(events.environmentChanges.size() - 1).getKeys())
			.isEqualTo(refreshed.getChangedKeys());
	}

	@Test
	void changeShadowedByAHigherSourceChangesNothing() {
		Events events = context.getBean(Events.class);
		String greeting = context.getBean(AppProperties.class).getGreeting();
		String content = "app.greeting=shared-" + System.nanoTime() + "\ncommon.only=c1\n";
		events.clear();

		publisher.publish("common.properties", group, content, "properties");

		await().atMost(TIMEOUT)
			.until(() -> events.refreshed.stream()
				.anyMatch((event) -> event.getMd5().equals(NacosConfigDataLoader.md5(content))));
		// Only this data id's events: a catch-up of another data id may land meanwhile.
		assertThat(events.refreshed).filteredOn((event) -> event.getDataId().equals("common.properties"))
			.singleElement()
			.satisfies((event) -> assertThat(event.getChangedKeys()).isEmpty());
		assertThat(events.environmentChangesOf("common.properties"))
			.noneMatch((event) -> event.getKeys().contains("app.greeting") || event.getKeys().contains("common.only"));
		assertThat(context.getBean(AppProperties.class).getGreeting()).isEqualTo(greeting);
		assertThat(context.getEnvironment().getProperty("app.greeting")).isEqualTo(greeting);
	}

	@Test
	void invalidYamlKeepsTheLastGoodValuesAndIsRecorded() {
		publishApp(appYaml("valid", 4, "5"));
		await().atMost(TIMEOUT).until(() -> "valid".equals(context.getBean(AppProperties.class).getGreeting()));
		String broken = "app:\n  greeting: [unclosed\n  count: 5\n";

		publishApp(broken);

		await().atMost(TIMEOUT)
			.until(() -> history().stream()
				.anyMatch((refresh) -> refresh.md5().equals(NacosConfigDataLoader.md5(broken))));
		Refresh failure = context.getBean(NacosConfigRefreshHistory.class)
			.lastFailures()
			.values()
			.stream()
			.filter((refresh) -> refresh.md5().equals(NacosConfigDataLoader.md5(broken)))
			.findFirst()
			.orElseThrow();
		assertThat(failure.outcome()).isEqualTo(Outcome.INVALID);
		assertThat(failure.error()).contains("app.yaml").contains("line");
		assertThat(context.getBean(AppProperties.class).getGreeting()).isEqualTo("valid");
		assertThat(context.getEnvironment().getProperty("app.count")).isEqualTo("4");
	}

	@Test
	void changeThatFailsValidationIsRolledBackAsAWhole() {
		publishApp(appYaml("before-invalid", 6, "5"));
		await().atMost(TIMEOUT)
			.until(() -> "before-invalid".equals(context.getBean(AppProperties.class).getGreeting()));
		String invalid = appYaml("after-invalid", -1, "5");

		publishApp(invalid);

		await().atMost(TIMEOUT)
			.until(() -> history().stream()
				.anyMatch((refresh) -> refresh.md5().equals(NacosConfigDataLoader.md5(invalid))));
		Refresh refresh = history().stream()
			.filter((candidate) -> candidate.md5().equals(NacosConfigDataLoader.md5(invalid)))
			.findFirst()
			.orElseThrow();
		assertThat(refresh.outcome()).isEqualTo(Outcome.ROLLED_BACK);
		assertThat(refresh.error()).contains("count");
		assertThat(context.getEnvironment().getProperty("app.greeting")).isEqualTo("before-invalid");
		assertThat(context.getBean(AppProperties.class).getGreeting()).isEqualTo("before-invalid");
		assertThat(context.getBean(AppProperties.class).getCount()).isEqualTo(6);
		assertThat(context.getBean(ValueHolder.class).greeting).isEqualTo("before-invalid");
	}

	@Test
	void valueThatCannotBeConvertedKeepsTheOldValueAndIsReported() {
		publishApp(appYaml("numbers", 8, "11"));
		await().atMost(TIMEOUT).until(() -> context.getBean(ValueHolder.class).number == 11);
		String content = appYaml("numbers-2", 8, "eleven");

		publishApp(content);

		await().atMost(TIMEOUT)
			.until(() -> history().stream()
				.anyMatch((refresh) -> refresh.md5().equals(NacosConfigDataLoader.md5(content))));
		assertThat(context.getBean(ValueHolder.class).greeting).isEqualTo("numbers-2");
		assertThat(context.getBean(ValueHolder.class).number).isEqualTo(11);
		Refresh refresh = history().stream()
			.filter((candidate) -> candidate.md5().equals(NacosConfigDataLoader.md5(content)))
			.findFirst()
			.orElseThrow();
		assertThat(refresh.outcome()).isEqualTo(Outcome.APPLIED);
		assertThat(refresh.error()).contains("value.number");
	}

	@Test
	void burstOfPublishesEndsOnTheLastValue() {
		int before = history().size();
		long start = System.nanoTime();
		for (int i = 0; i < 200; i++) {
			publishApp(appYaml("burst-" + i, 1000 + i, "5"));
		}
		long published = System.nanoTime();

		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			assertThat(context.getBean(AppProperties.class).getGreeting()).isEqualTo("burst-199");
			assertThat(context.getBean(AppProperties.class).getCount()).isEqualTo(1199);
			assertThat(context.getBean(ValueHolder.class).greeting).isEqualTo("burst-199");
			assertThat(context.getBean(RefreshedGreeter.class).greeting()).isEqualTo("burst-199");
		});
		long applied = System.nanoTime();
		System.out.printf(
				"burst of 200 publishes: published in %.0f ms, final value applied %.0f ms after the"
						+ " last publish, %d refreshes ran%n",
				(published - start) / 1e6, (applied - published) / 1e6, history().size() - before);
	}

	@Test
	void refreshReadsOnlyTheChangedDataId() {
		NacosTestServer server = nacos.target().server();
		long otherQueries = server.configQueryCount(null, group, "other.properties");
		long sharedQueries = server.configQueryCount(null, group, "common.properties");
		long appQueries = server.configQueryCount(null, group, "app.yaml");
		String content = appYaml("counted", 9, "5");

		publishApp(content);

		await().atMost(TIMEOUT).until(() -> "counted".equals(context.getBean(AppProperties.class).getGreeting()));
		assertThat(server.configQueryCount(null, group, "app.yaml")).isGreaterThan(appQueries);
		assertThat(server.configQueryCount(null, group, "other.properties")).isEqualTo(otherQueries);
		assertThat(server.configQueryCount(null, group, "common.properties")).isEqualTo(sharedQueries);
	}

	@Test
	void beanBoundThroughAPlaceholderToAChangedKeyIsRebound() {
		String content = appYaml("derived-" + System.nanoTime(), 12, "5");
		String greeting = content.lines()
			.filter((line) -> line.contains("greeting:"))
			.findFirst()
			.orElseThrow()
			.replaceAll(".*greeting: ", "");

		publishApp(content);

		await().atMost(TIMEOUT)
			.until(() -> (greeting + "!").equals(context.getBean(DerivedProperties.class).getGreeting()));
		// Rebinding comes first in a refresh, then the @Value members: wait for the
		// latter.
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(context.getBean(ValueHolder.class).derived).isEqualTo(greeting + "!"));
	}

	@Test
	void changeThatASelfValidatingPropertiesClassRefusesIsRolledBackAsAWhole() {
		publisher.publish("checked.properties", group, "checked.limit=20\n", "properties");
		await().atMost(TIMEOUT).until(() -> context.getBean(CheckedProperties.class).getLimit() == 20);
		String invalid = "checked.limit=500\n";

		publisher.publish("checked.properties", group, invalid, "properties");

		await().atMost(TIMEOUT)
			.until(() -> history().stream()
				.anyMatch((refresh) -> refresh.md5().equals(NacosConfigDataLoader.md5(invalid))));
		Refresh refresh = history().stream()
			.filter((candidate) -> candidate.md5().equals(NacosConfigDataLoader.md5(invalid)))
			.findFirst()
			.orElseThrow();
		assertThat(refresh.outcome()).isEqualTo(Outcome.ROLLED_BACK);
		assertThat(refresh.error()).contains("at most 100");
		assertThat(context.getEnvironment().getProperty("checked.limit")).isEqualTo("20");
		assertThat(context.getBean(CheckedProperties.class).getLimit()).isEqualTo(20);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableConfigurationProperties({ AppProperties.class, DerivedProperties.class, CheckedProperties.class })
	static class TestApplication {

		@Bean
		@RefreshScope
		RefreshedGreeter refreshedGreeter(@Value("${app.greeting}") String greeting) {
			return new RefreshedGreeter(greeting);
		}

		@Bean
		ValueHolder valueHolder() {
			return new ValueHolder();
		}

		@Bean
		Events events() {
			return new Events();
		}

	}

	@ConfigurationProperties("app")
	@Validated
	static class AppProperties {

		@NotBlank
		private String greeting;

		@Min(0)
		private int count;

		public String getGreeting() {
			return this.greeting;
		}

		public void setGreeting(String greeting) {
			this.greeting = greeting;
		}

		public int getCount() {
			return this.count;
		}

		public void setCount(int count) {
			this.count = count;
		}

	}

	@ConfigurationProperties("derived")
	static class DerivedProperties {

		private volatile String greeting;

		public String getGreeting() {
			return this.greeting;
		}

		public void setGreeting(String greeting) {
			this.greeting = greeting;
		}

	}

	/** Checks itself, as Spring Boot lets a properties class do, without @Validated. */
	@ConfigurationProperties("checked")
	static class CheckedProperties implements org.springframework.validation.Validator {

		private volatile int limit;

		public int getLimit() {
			return this.limit;
		}

		public void setLimit(int limit) {
			this.limit = limit;
		}

		@Override
		public boolean supports(Class<?> type) {
			return CheckedProperties.class.isAssignableFrom(type);
		}

		@Override
		public void validate(Object target, org.springframework.validation.Errors errors) {
			if (((CheckedProperties) target).getLimit() > 100) {
				errors.rejectValue("limit", "max", "must be at most 100");
			}
		}

	}

	static class RefreshedGreeter {

		private final String greeting;

		RefreshedGreeter(String greeting) {
			this.greeting = greeting;
		}

		String greeting() {
			return this.greeting;
		}

	}

	static class ValueHolder {

		@Value("${app.greeting}")
		volatile String greeting;

		@Value("${app.missing:${app.count:0}}")
		volatile int nested;

		@Value("${value.number}")
		volatile int number;

		@Value("${derived.greeting}")
		volatile String derived;

		volatile int count;

		@Value("${app.count}")
		void setCount(int count) {
			this.count = count;
		}

	}

	static class Events {

		final List<NacosConfigRefreshedEvent> refreshed = new CopyOnWriteArrayList<>();

		final List<EnvironmentChangeEvent> environmentChanges = new CopyOnWriteArrayList<>();

		/** Both kinds as published: one apply publishes its two events together. */
		final List<Object> inOrder = new CopyOnWriteArrayList<>();

		@EventListener
		void on(NacosConfigRefreshedEvent event) {
			this.refreshed.add(event);
			this.inOrder.add(event);
		}

		@EventListener
		void on(EnvironmentChangeEvent event) {
			this.environmentChanges.add(event);
			this.inOrder.add(event);
		}

		/**
		 * The environment changes published with the refreshes of one data id: the
		 * applier publishes a change's {@code EnvironmentChangeEvent} right before its
		 * {@code NacosConfigRefreshedEvent}, one change at a time.
		 */
		List<EnvironmentChangeEvent> environmentChangesOf(String dataId) {
			List<EnvironmentChangeEvent> changes = new ArrayList<>();
			EnvironmentChangeEvent pending = null;
			for (Object event : this.inOrder) {
				if (event instanceof EnvironmentChangeEvent change) {
					pending = change;
				}
				else if (event instanceof NacosConfigRefreshedEvent refreshed) {
					if (pending != null && refreshed.getDataId().equals(dataId)) {
						changes.add(pending);
					}
					pending = null;
				}
			}
			return changes;
		}

		void clear() {
			this.refreshed.clear();
			this.environmentChanges.clear();
			this.inOrder.clear();
		}

	}

}
