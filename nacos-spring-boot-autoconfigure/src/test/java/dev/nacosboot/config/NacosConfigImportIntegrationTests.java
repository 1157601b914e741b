package dev.nacosboot.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.nacosboot.core.LazyClientProxy;
import dev.nacosboot.core.NacosClients;
import dev.nacosboot.testserver.NacosTestServer;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertySource;
import org.springframework.test.util.AopTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What {@code spring.config.import=nacos:...} loads, and in which order, against the
 * embedded test server or, with {@code NACOS_SERVER_ADDR}, a real Nacos.
 */
class NacosConfigImportIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static String group;

	private static ConfigPublisher publisher;

	@BeforeAll
	static void publish() {
		group = nacos.target().unique("import");
		publisher = new ConfigPublisher(nacos.target());
		publisher.publishReadable("shared-1.properties", group, "a=shared-1\nc=shared-1\nd=shared-1\nf=shared-1\n",
				"properties");
		publisher.publishReadable("shared-2.properties", group, "c=shared-2\n", "properties");
		publisher.publishReadable("ext-1.properties", group, "d=ext-1\ne=ext-1\n", "properties");
		publisher.publishReadable("ext-2.properties", group, "e=ext-2\n", "properties");
		publisher.publishReadable("imp.properties", group, "a=app\nb=app\n", "properties");
		publisher.publishReadable("imp-dev.properties", group, "a=dev\n", "properties");
		publisher.publishReadable("x.yaml", group, "k: x\nonly.x: 1\n", "yaml");
		publisher.publishReadable("y.json", group, "{\"k\": \"y\"}", "json");
		publisher.publishReadable("bad.yaml", group, "a: 1\nb: [unclosed\n", "yaml");
		publisher.publishReadable("remote.properties", group, "a=remote\n", "properties");
		publisher.publishReadable("typed", group, "typed:\n  key: yes-yaml\n", "yaml");
	}

	@AfterAll
	static void cleanUp() throws Exception {
		publisher.close();
	}

	private static ConfigurableApplicationContext run(String... args) {
		return new SpringApplicationBuilder(TestApplication.class).web(WebApplicationType.NONE)
			.run(ConfigImportTestSupport.args(nacos.target(), args));
	}

	@Test
	void bareImportLoadsSharedExtensionApplicationAndProfileDataIdsInDocumentedPrecedence() {
		try (ConfigurableApplicationContext context = run("--spring.config.import=nacos:",
				"--spring.application.name=imp", "--spring.profiles.active=dev",
				"--spring.cloud.nacos.config.group=" + group,
				"--spring.cloud.nacos.config.shared-configs[0].data-id=shared-1.properties",
				"--spring.cloud.nacos.config.shared-configs[0].group=" + group,
				"--spring.cloud.nacos.config.shared-configs[1].data-id=shared-2.properties",
				"--spring.cloud.nacos.config.shared-configs[1].group=" + group,
				"--spring.cloud.nacos.config.extension-configs[0].data-id=ext-1.properties",
				"--spring.cloud.nacos.config.extension-configs[0].group=" + group,
				"--spring.cloud.nacos.config.extension-configs[1].data-id=ext-2.properties",
				"--spring.cloud.nacos.config.extension-configs[1].group=" + group)) {
			assertThat(context.getEnvironment().getProperty("a")).isEqualTo("dev");
			assertThat(context.getEnvironment().getProperty("b")).isEqualTo("app");
			assertThat(context.getEnvironment().getProperty("c")).isEqualTo("shared-2");
			assertThat(context.getEnvironment().getProperty("d")).isEqualTo("ext-1");
			assertThat(context.getEnvironment().getProperty("e")).isEqualTo("ext-2");
			assertThat(context.getEnvironment().getProperty("f")).isEqualTo("shared-1");
			assertThat(nacosSources(context)).containsExactly(name("imp-dev.properties"), name("imp.properties"),
					name("ext-2.properties"), name("ext-1.properties"), name("shared-2.properties"),
					name("shared-1.properties"));
		}
	}

	@Test
	void explicitDataIdsWithSpringCloudAlibabaParametersLoadALaterOneWinning() {
		try (ConfigurableApplicationContext context = run(
				"--spring.config.import=nacos:x.yaml;y.json?group=" + group + "&refreshEnabled=false")) {
			assertThat(context.getEnvironment().getProperty("k")).isEqualTo("y");
			assertThat(context.getEnvironment().getProperty("only.x")).isEqualTo("1");
		}
	}

	@Test
	void explicitDataIdsAreSeparatedByCommasInAListEntry() {
		try (ConfigurableApplicationContext context = run(
				"--spring.config.import[0]=nacos:x.yaml,y.json?group=" + group)) {
			assertThat(context.getEnvironment().getProperty("k")).isEqualTo("y");
		}
	}

	@Test
	void dataIdWithoutExtensionTakesItsFormatFromTheStoredType() {
		try (ConfigurableApplicationContext context = run("--spring.config.import=nacos:typed?group=" + group)) {
			assertThat(context.getEnvironment().getProperty("typed.key")).isEqualTo("yes-yaml");
		}
	}

	@Test
	void namespaceParameterReadsFromThatNamespace() throws Exception {
		String namespace = nacos.target().unique("ns");
		try (ConfigPublisher inNamespace = new ConfigPublisher(nacos.target(), namespace)) {
			inNamespace.publishReadable("ns.properties", group, "where=namespace\n", "properties");
			try (ConfigurableApplicationContext context = run(
					"--spring.config.import=nacos:ns.properties?group=" + group + "&namespace=" + namespace)) {
				assertThat(context.getEnvironment().getProperty("where")).isEqualTo("namespace");
			}
		}
	}

	@Test
	void missingDataIdOfARequiredImportFailsStartupNamingIt() {
		assertThatException().isThrownBy(() -> run("--spring.config.import=nacos:absent.properties?group=" + group))
			.isInstanceOf(ConfigDataResourceNotFoundException.class)
			.withMessageContaining("absent.properties");
	}

	@Test
	void startupFailureOfAnImportClosesTheClientsItOpened() {
		assumeTrue(!nacos.target().isExternal(), "counts the embedded server's connections");
		NacosTestServer server = nacos.target().server();
		long before = configConnections(server);

		assertThatException().isThrownBy(() -> run("--spring.config.import=nacos:absent.properties?group=" + group))
			.isInstanceOf(ConfigDataResourceNotFoundException.class);
		// Config data loaded, then a later post-processor refuses a setting.
		assertThatException()
			.isThrownBy(() -> run("--spring.config.import=nacos:x.yaml?group=" + group,
					"--spring.nacos.config.server-addr=elsewhere:8848"))
			.isInstanceOf(dev.nacosboot.core.InvalidNacosPropertiesException.class);

		await().atMost(TIMEOUT).until(() -> configConnections(server) == before);
	}

	private static long configConnections(NacosTestServer server) {
		return server.connections().stream().filter((connection) -> "config".equals(connection.module())).count();
	}

	@Test
	void configServiceBeanIsTheClientTheImportsReadThroughWithSpringCloudAlibabasClientSettings() {
		String namespace = nacos.target().unique("bean-ns");
		try (ConfigurableApplicationContext context = run("--spring.config.import=optional:nacos:x.yaml?group=" + group,
				"--spring.cloud.nacos.config.namespace=" + namespace, "--spring.cloud.nacos.config.max-retry=5",
				"--spring.cloud.nacos.config.encode=UTF-8")) {
			NacosConfigSources.Loaded loaded = context.getBean(NacosConfigSources.class).all().get(0);
			assertThat(loaded.resource().getNamespace()).isEqualTo(namespace);
			com.alibaba.nacos.api.config.ConfigService bean = context
				.getBean(com.alibaba.nacos.api.config.ConfigService.class);
			assertThat(LazyClientProxy.isLazyProxy(bean)).isTrue();
			assertThat((Object) AopTestUtils.getTargetObject(bean)).isSameAs(loaded.configService());
		}
	}

	@Test
	void optionalImportOfAMissingDataIdStartsAndPicksItUpWhenPublished() {
		String dataId = "late-" + System.nanoTime() + ".properties";
		try (ConfigurableApplicationContext context = run(
				"--spring.config.import=optional:nacos:" + dataId + "?group=" + group)) {
			assertThat(context.getEnvironment().getProperty("late")).isNull();

			publisher.publish(dataId, group, "late=arrived\n", "properties");

			await().atMost(TIMEOUT).until(() -> "arrived".equals(context.getEnvironment().getProperty("late")));
		}
	}

	@Test
	void invalidContentFailsStartupWithAnAnalysisNamingTheDataIdAndLine() {
		assertThatException().isThrownBy(() -> run("--spring.config.import=nacos:bad.yaml?group=" + group))
			.isInstanceOf(NacosConfigLoadException.class)
			.satisfies((ex) -> {
				FailureAnalysis analysis = new NacosConfigLoadFailureAnalyzer().analyze(ex);
				assertThat(analysis.getDescription()).contains("bad.yaml").contains("line");
				assertThat(analysis.getAction()).contains("optional:nacos:");
			});
	}

	@Test
	void invalidContentOfAnOptionalImportIsSkipped() {
		try (ConfigurableApplicationContext context = run(
				"--spring.config.import=optional:nacos:bad.yaml?group=" + group)) {
			assertThat(context.getEnvironment().getProperty("a")).isNull();
		}
	}

	@Test
	void malformedImportFailsWithAnAnalysis() {
		assertThatException().isThrownBy(() -> run("--spring.config.import=nacos:x.yaml?grop=" + group))
			.satisfies((ex) -> assertThat(new NacosConfigLoadFailureAnalyzer().analyze(ex).getDescription())
				.contains("'grop'"));
	}

	@Test
	void remoteConfigWinsOverTheLocalFileThatImportsItUnlessLocalFirst(@TempDir Path directory) throws Exception {
		Path local = directory.resolve("application.properties");
		Files.writeString(local, "a=local\nspring.config.import=nacos:remote.properties?group=" + group + "\n");
		String location = "--spring.config.location=file:" + local;
		try (ConfigurableApplicationContext context = run(location)) {
			assertThat(context.getEnvironment().getProperty("a")).isEqualTo("remote");
		}
		try (ConfigurableApplicationContext context = run(location,
				"--spring.cloud.nacos.config.preference=local-first")) {
			assertThat(context.getEnvironment().getProperty("a")).isEqualTo("local");
		}
		try (ConfigurableApplicationContext context = run(location, "--spring.cloud.nacos.config.local-first=true")) {
			assertThat(context.getEnvironment().getProperty("a")).isEqualTo("local");
		}
	}

	@Test
	void preferenceRemoteWinsOverProfileSpecificLocalFilesAndLocalDoesNot(@TempDir Path directory) throws Exception {
		Files.writeString(directory.resolve("application.properties"),
				"spring.config.import=nacos:remote.properties?group=" + group + "&preference=${pref}\n");
		Files.writeString(directory.resolve("application-dev.properties"), "a=local-dev\n");
		String location = "--spring.config.location=file:" + directory + "/";
		try (ConfigurableApplicationContext context = run(location, "--spring.profiles.active=dev", "--pref=remote")) {
			assertThat(context.getEnvironment().getProperty("a")).isEqualTo("remote");
		}
		try (ConfigurableApplicationContext context = run(location, "--spring.profiles.active=dev", "--pref=local")) {
			assertThat(context.getEnvironment().getProperty("a")).isEqualTo("local-dev");
		}
	}

	@Test
	void refreshFalseRegistersNoListener() {
		NacosTestServer server = nacos.target().server();
		try (ConfigurableApplicationContext context = run(
				"--spring.config.import[0]=nacos:x.yaml?group=" + group + "&refresh=false",
				"--spring.config.import[1]=nacos:y.json?group=" + group + "&refreshEnabled=true")) {
			await().atMost(TIMEOUT).until(() -> !server.configListeners(null, group, "y.json").isEmpty());
			assertThat(server.configListeners(null, group, "x.yaml")).isEmpty();
		}
	}

	@Test
	void disabledConfigLoadsNothingAndStartsWithoutNacos() {
		try (ConfigurableApplicationContext context = run("--spring.config.import=nacos:x.yaml?group=" + group,
				"--spring.cloud.nacos.config.enabled=false")) {
			assertThat(context.getEnvironment().getProperty("k")).isNull();
			assertThat(context.getBeanNamesForType(NacosConfigWatcher.class)).isEmpty();
		}
	}

	@Test
	void twoApplicationsInOneJvmAreIsolated() {
		String dataId = "iso-" + System.nanoTime() + ".properties";
		publisher.publishReadable(dataId, group, "iso=1\n", "properties");
		try (ConfigurableApplicationContext first = run("--spring.config.import=nacos:" + dataId + "?group=" + group);
				ConfigurableApplicationContext second = run(
						"--spring.config.import=nacos:" + dataId + "?group=" + group + "&refresh=false")) {
			assertThat(first.getBean(NacosClients.class)).isNotSameAs(second.getBean(NacosClients.class));

			publisher.publish(dataId, group, "iso=2\n", "properties");

			await().atMost(TIMEOUT).until(() -> "2".equals(first.getEnvironment().getProperty("iso")));
			assertThat(second.getEnvironment().getProperty("iso")).isEqualTo("1");
			second.close();
			assertThat(first.getBean(NacosClients.class).isClosed()).isFalse();
		}
	}

	private static List<String> nacosSources(ConfigurableApplicationContext context) {
		List<String> names = new ArrayList<>();
		for (PropertySource<?> source : context.getEnvironment().getPropertySources()) {
			if (source.getName().startsWith("nacos:")) {
				names.add(source.getName());
			}
		}
		return names;
	}

	private static String name(String dataId) {
		return "nacos:public/" + group + "/" + dataId;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
