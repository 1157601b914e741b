package dev.nacosboot.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.nacosboot.actuate.NacosEndpoint;
import dev.nacosboot.actuate.NacosHealthContributorAutoConfiguration.NacosHealthComponent;
import dev.nacosboot.config.NacosConfigRefreshHistory.Outcome;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A data id deleted on the server while the application runs converges to what a restart
 * would load: an optional import's keys go away and lower sources show through; a
 * required import (a restart would fail) keeps its last good values, says so once, and is
 * shown in the config health details and the {@code nacos} endpoint until it is back.
 * Against the embedded server or, with {@code NACOS_SERVER_ADDR}, a real Nacos.
 */
@ExtendWith(OutputCaptureExtension.class)
class NacosConfigDeletionIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static String group;

	private static ConfigPublisher publisher;

	private static ConfigurableApplicationContext context;

	@BeforeAll
	static void startApplication() {
		group = nacos.target().unique("deletion");
		publisher = new ConfigPublisher(nacos.target());
		publisher.publishReadable("base.properties", group, "level=shared\nbase.only=b\n", "properties");
		publisher.publishReadable("optional.properties", group, "level=optional\noptional.only=o\n", "properties");
		publisher.publishReadable("required.properties", group, "required.value=first\n", "properties");
		context = new SpringApplicationBuilder(TestApplication.class).web(WebApplicationType.NONE)
			.run(ConfigImportTestSupport.args(nacos.target(),
					"--spring.config.import[0]=nacos:required.properties?group=" + group,
					"--spring.config.import[1]=optional:nacos:optional.properties?group=" + group,
					"--spring.cloud.nacos.config.shared-configs[0].data-id=base.properties",
					"--spring.cloud.nacos.config.shared-configs[0].group=" + group, "--spring.jmx.enabled=true",
					"--spring.jmx.unique-names=true", "--management.endpoints.jmx.exposure.include=nacos"));
		ConfigImportTestSupport.listening(context);
	}

	@AfterAll
	static void stopApplication() throws Exception {
		if (context != null) {
			context.close();
		}
		publisher.close();
	}

	@Test
	void deletedOptionalImportLosesItsKeysAndLowerSourcesShowThrough() {
		assertThat(context.getEnvironment().getProperty("level")).isEqualTo("optional");

		publisher.remove("optional.properties", group);

		await().atMost(TIMEOUT).until(() -> "shared".equals(context.getEnvironment().getProperty("level")));
		assertThat(context.getEnvironment().getProperty("optional.only")).isNull();
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(history()).anySatisfy((refresh) -> {
			assertThat(refresh.dataId()).isEqualTo("optional.properties");
			assertThat(refresh.outcome()).isEqualTo(Outcome.REMOVED);
			assertThat(refresh.changedKeys()).contains("level", "optional.only");
		}));

		publisher.publish("optional.properties", group, "level=optional-again\n", "properties");

		await().atMost(TIMEOUT).until(() -> "optional-again".equals(context.getEnvironment().getProperty("level")));
	}

	@Test
	void deletedRequiredImportKeepsItsLastGoodValuesWarnsOnceAndIsShownUntilItIsBack(CapturedOutput output) {
		int before = output.getAll().length();
		NacosConfigSources.Loaded required = loaded("required.properties");

		publisher.remove("required.properties", group);

		await().atMost(TIMEOUT)
			.until(() -> history().stream()
				.anyMatch((refresh) -> refresh.dataId().equals("required.properties")
						&& refresh.outcome() == Outcome.MISSING));
		assertThat(context.getEnvironment().getProperty("required.value")).isEqualTo("first");
		assertThat(health().getDetails().get("configs")).asString()
			.contains("required.properties")
			.contains("missingSince");
		assertThat(endpointConfig()).anySatisfy((entry) -> {
			assertThat(entry).containsEntry("dataId", "required.properties");
			assertThat(entry).containsKey("missingSince");
		});
		assertThat(required.missingSince()).isNotNull();

		publisher.publish("required.properties", group, "required.value=second\n", "properties");

		await().atMost(TIMEOUT).until(() -> "second".equals(context.getEnvironment().getProperty("required.value")));
		await().atMost(TIMEOUT).until(() -> required.missingSince() == null);
		assertThat(health().getDetails().get("configs")).asString().doesNotContain("missingSince");
		assertThat(endpointConfig()).allSatisfy((entry) -> assertThat(entry).doesNotContainKey("missingSince"));
		long warnings = output.getAll()
			.substring(before)
			.lines()
			.filter((line) -> line.contains("WARN") && line.contains("required.properties")
					&& line.contains("deleted on the server"))
			.count();
		assertThat(warnings).isOne();
	}

	private static NacosConfigSources.Loaded loaded(String dataId) {
		return context.getBean(NacosConfigSources.class)
			.all()
			.stream()
			.filter((loaded) -> loaded.resource().getDataId().equals(dataId))
			.findFirst()
			.orElseThrow();
	}

	private static List<NacosConfigRefreshHistory.Refresh> history() {
		return context.getBean(NacosConfigRefreshHistory.class).refreshes();
	}

	private static Health health() {
		return context.getBeansOfType(NacosHealthComponent.class)
			.values()
			.stream()
			.filter((component) -> component.name().equals("config"))
			.findFirst()
			.orElseThrow()
			.indicator()
			.health();
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> endpointConfig() {
		return (List<Map<String, Object>>) context.getBean(NacosEndpoint.class).section("config");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
