package dev.nacosboot.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.actuate.NacosHealthContributorAutoConfiguration.NacosHealthComponent;
import dev.nacosboot.discovery.NacosDiscoveryClient;
import dev.nacosboot.discovery.NacosDiscoveryProperties;
import dev.nacosboot.registry.NacosAutoServiceRegistration;
import dev.nacosboot.registry.NacosRegistration;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.PropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Applications written for Spring Cloud Alibaba 2025.1 run on this starter with their
 * {@code application.yml} unchanged: the example of {@code docs/migration.md} (read from
 * the docs) and one file per feature area in {@code src/test/resources/sca-migration/}.
 * Only the server address, a namespace and a service name of the test's own come from the
 * command line, so that the same test runs against the embedded server and, with
 * {@code NACOS_SERVER_ADDR}, a real Nacos.
 */
@ExtendWith(OutputCaptureExtension.class)
class SpringCloudAlibabaMigrationIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final Path MIGRATION_DOCS = Path.of("..", "docs", "migration.md");

	private static String namespace;

	private static ConfigPublisher publisher;

	@BeforeAll
	static void publish() {
		namespace = nacos.target().unique("sca");
		publisher = new ConfigPublisher(nacos.target(), namespace);
		publisher.publishReadable("common.yaml", "SHARED", "level: common\ncommon:\n  only: c\n  value: c1\n", "yaml");
		publisher.publishReadable("orders-ext.yaml", "ORDERS", "level: ext\next:\n  value: e1\n", "yaml");
		publisher.publishReadable("orders.yaml", "ORDERS", "level: orders\norders:\n  greeting: hello\n", "yaml");
		publisher.publishReadable("orders-dev.yaml", "ORDERS", "level: dev\ndev:\n  only: d\n", "yaml");
		publisher.publishReadable("orders-db.yaml", "ORDERS", "level: db\ndb:\n  url: jdbc:h2:mem:one\n", "yaml");
		publisher.publishReadable("switches.yaml", "SWITCHES", "switches: loaded\n", "yaml");
		publisher.publishReadable("refresh-app.yaml", "REFRESH", "app: a1\n", "yaml");
		publisher.publishReadable("refresh-live.yaml", "REFRESH", "live: l1\n", "yaml");
		publisher.publishReadable("refresh-shared.yaml", "REFRESH", "shared: s1\n", "yaml");
		publisher.publishReadable("refresh-frozen.yaml", "REFRESH", "frozen: f1\n", "yaml");
		publisher.publishReadable("refresh-legacy-ext.yaml", "REFRESH", "legacy: x1\n", "yaml");
	}

	@AfterAll
	static void cleanUp() throws Exception {
		publisher.close();
	}

	@Test
	void migrationGuideExampleRunsWithSpringCloudAlibabasMeaning(@TempDir Path directory, CapturedOutput output)
			throws Exception {
		Files.writeString(directory.resolve("application.yml"), migrationExample());
		String service = nacos.target().unique("orders");
		NamingService observer = NacosFactory.createNamingService(nacos.target().clientProperties());
		try (ConfigurableApplicationContext app = run(TestApps.ProviderApplication.class, WebApplicationType.SERVLET,
				"file:" + directory + "/", "--spring.cloud.nacos.discovery.service=" + service,
				"--spring.cloud.nacos.discovery.ip=127.0.0.1", "--server.port=0")) {
			// preference=remote ranks orders-db.yaml above everything local and the
			// profile document's import; then the documented order.
			assertThat(app.getEnvironment().getProperty("level")).isEqualTo("db");
			assertThat(nacosSources(app)).containsExactly(name("ORDERS", "orders-db.yaml"),
					name("ORDERS", "orders-dev.yaml"), name("ORDERS", "orders.yaml"), name("ORDERS", "orders-ext.yaml"),
					name("SHARED", "common.yaml"));
			assertThat(app.getEnvironment().getProperty("common.only")).isEqualTo("c");
			assertThat(app.getEnvironment().getProperty("dev.only")).isEqualTo("d");
			assertThat(app.getBean(NacosConfigProperties.class).getTimeout()).isEqualTo(Duration.ofSeconds(3));
			assertThat(app.getBean(NacosDiscoveryProperties.class).getWatchDelay()).isEqualTo(Duration.ofSeconds(30));
			assertThat(resource(app, "orders-db.yaml").isRefresh()).isFalse();
			assertThat(resource(app, "orders-db.yaml").getPreference()).isEqualTo(NacosConfigPreference.REMOTE);
			assertThat(resource(app, "orders.yaml").isRefresh()).isTrue();
			assertThat(resource(app, "common.yaml").isRefresh()).isTrue();
			assertThat(resource(app, "orders-ext.yaml").isRefresh()).isFalse();

			int port = app.getBean(NacosRegistration.class).getPort();
			await().atMost(TIMEOUT).untilAsserted(() -> {
				List<Instance> instances = observer.getAllInstances(service, "ORDERS", false);
				assertThat(instances).singleElement().satisfies((instance) -> {
					assertThat(instance.getPort()).isEqualTo(port);
					assertThat(instance.getClusterName()).isEqualTo("SH");
					assertThat(instance.getMetadata()).containsEntry("zone", "sh-1");
				});
			});

			publisher.publish("orders-db.yaml", "ORDERS", "level: db\ndb:\n  url: jdbc:h2:mem:two\n", "yaml");
			publisher.publish("orders-ext.yaml", "ORDERS", "level: ext\next:\n  value: e2\n", "yaml");
			publisher.publish("orders.yaml", "ORDERS", "level: orders\norders:\n  greeting: bonjour\n", "yaml");
			publisher.publish("common.yaml", "SHARED", "level: common\ncommon:\n  only: c\n  value: c2\n", "yaml");
			await().atMost(TIMEOUT)
				.until(() -> "bonjour".equals(app.getEnvironment().getProperty("orders.greeting"))
						&& "c2".equals(app.getEnvironment().getProperty("common.value")));
			assertThat(app.getEnvironment().getProperty("db.url")).isEqualTo("jdbc:h2:mem:one");
			assertThat(app.getEnvironment().getProperty("ext.value")).isEqualTo("e1");
			if (!nacos.target().isExternal()) {
				assertThat(nacos.target().server().configListeners(namespace, "ORDERS", "orders-db.yaml")).isEmpty();
				assertThat(nacos.target().server().configListeners(namespace, "ORDERS", "orders-ext.yaml")).isEmpty();
			}
		}
		finally {
			observer.shutDown();
		}
		assertThat(output.getAll()
			.lines()
			.filter((line) -> line.contains("INFO")
					&& line.contains("Ignoring spring.cloud.nacos.discovery.heart-beat-interval")))
			.hasSize(1);
		assertThat(output.getAll()).doesNotContain("Ignoring spring.cloud.nacos.discovery.watch-delay");
	}

	@Test
	void configAndDiscoveryOffSwitchesStartWithoutEither() {
		try (ConfigurableApplicationContext app = run(TestApps.ConsumerApplication.class, WebApplicationType.NONE,
				"classpath:/sca-migration/switches-off.yml")) {
			assertThat(app.getEnvironment().getProperty("switches")).isNull();
			assertThat(nacosSources(app)).isEmpty();
			assertThat(app.getBeanNamesForType(NacosDiscoveryClient.class)).isEmpty();
		}
	}

	@Test
	void registerEnabledFalseDiscoversWithoutRegisteringAndHealthIndicatorSwitchIsHonoured() {
		try (ConfigurableApplicationContext app = run(TestApps.ConsumerApplication.class, WebApplicationType.NONE,
				"classpath:/sca-migration/register-disabled.yml")) {
			assertThat(app.getBeanNamesForType(NacosDiscoveryClient.class)).hasSize(1);
			assertThat(app.getBeanNamesForType(NacosAutoServiceRegistration.class)).isEmpty();
			assertThat(app.getBeansOfType(NacosHealthComponent.class).values())
				.noneMatch((component) -> component.name().equals("discovery"));
			assertThat(app.getEnvironment().getProperty("management.health.nacos-discovery.enabled"))
				.isEqualTo("false");
		}
	}

	@Test
	void refreshSwitchesOfImportsSharedAndLegacyExtensionConfigs() {
		try (ConfigurableApplicationContext app = run(TestApps.ConsumerApplication.class, WebApplicationType.NONE,
				"classpath:/sca-migration/refresh.yml")) {
			assertThat(app.getEnvironment().getProperty("legacy")).isEqualTo("x1");
			assertThat(resource(app, "refresh-app.yaml").isRefresh()).isFalse();
			assertThat(resource(app, "refresh-live.yaml").isRefresh()).isTrue();
			assertThat(resource(app, "refresh-shared.yaml").isRefresh()).isTrue();
			assertThat(resource(app, "refresh-frozen.yaml").isRefresh()).isFalse();
			assertThat(resource(app, "refresh-legacy-ext.yaml").getKind())
				.isEqualTo(NacosConfigDataResource.Kind.EXTENSION);
			ConfigImportTestSupport.listening(app);

			publisher.publish("refresh-app.yaml", "REFRESH", "app: a2\n", "yaml");
			publisher.publish("refresh-frozen.yaml", "REFRESH", "frozen: f2\n", "yaml");
			publisher.publish("refresh-live.yaml", "REFRESH", "live: l2\n", "yaml");
			publisher.publish("refresh-shared.yaml", "REFRESH", "shared: s2\n", "yaml");
			publisher.publish("refresh-legacy-ext.yaml", "REFRESH", "legacy: x2\n", "yaml");

			await().atMost(TIMEOUT)
				.until(() -> "l2".equals(app.getEnvironment().getProperty("live"))
						&& "s2".equals(app.getEnvironment().getProperty("shared"))
						&& "x2".equals(app.getEnvironment().getProperty("legacy")));
			assertThat(app.getEnvironment().getProperty("app")).isEqualTo("a1");
			assertThat(app.getEnvironment().getProperty("frozen")).isEqualTo("f1");
		}
	}

	@Test
	void deprecatedSharedDataidsIsRefusedNamingSharedConfigs(CapturedOutput output) {
		int before = output.getAll().length();
		assertThatException().isThrownBy(() -> run(TestApps.ConsumerApplication.class, WebApplicationType.NONE,
				"classpath:/sca-migration/deprecated-shared-dataids.yml"));
		String report = report(output, before);
		assertThat(report).contains("spring.cloud.nacos.config.shared-dataids")
			.contains("spring.cloud.nacos.config.refreshable-dataids")
			.contains("spring.cloud.nacos.config.shared-configs[n].data-id");
	}

	@Test
	void importCheckAskedForFailsWithoutANacosImport(CapturedOutput output) {
		int before = output.getAll().length();
		assertThatException().isThrownBy(() -> run(TestApps.ConsumerApplication.class, WebApplicationType.NONE,
				"classpath:/sca-migration/import-check.yml"));
		assertThat(report(output, before)).contains("no import names a 'nacos:' location")
			.contains("import-check.enabled=false");
	}

	private static String report(CapturedOutput output, int before) {
		String printed = output.getAll().substring(before);
		assertThat(printed).contains("APPLICATION FAILED TO START");
		return printed.substring(printed.indexOf("APPLICATION FAILED TO START"));
	}

	private static ConfigurableApplicationContext run(Class<?> application, WebApplicationType type, String location,
			String... extra) {
		List<String> args = new ArrayList<>();
		args.add("--spring.config.location=" + location);
		// The test's own server and namespace; everything else is the file's.
		args.add("--spring.cloud.nacos.server-addr=" + nacos.target().serverAddr());
		args.add("--spring.cloud.nacos.config.server-addr=" + nacos.target().serverAddr());
		args.add("--spring.cloud.nacos.discovery.server-addr=" + nacos.target().serverAddr());
		args.add("--spring.cloud.nacos.config.namespace=" + namespace);
		nacos.target().username().ifPresent((name) -> args.add("--spring.cloud.nacos.username=" + name));
		nacos.target().password().ifPresent((secret) -> args.add("--spring.cloud.nacos.password=" + secret));
		args.add("--spring.jmx.enabled=false");
		args.add("--spring.main.banner-mode=off");
		args.addAll(List.of(extra));
		return new SpringApplicationBuilder(application).web(type).run(args.toArray(String[]::new));
	}

	static String migrationExample() throws Exception {
		String docs = Files.readString(MIGRATION_DOCS);
		String block = docs.substring(docs.indexOf("<!-- sca-migration-example:start -->"),
				docs.indexOf("<!-- sca-migration-example:end -->"));
		return block.substring(block.indexOf("```yaml") + "```yaml".length(), block.lastIndexOf("```"));
	}

	private static NacosConfigDataResource resource(ConfigurableApplicationContext app, String dataId) {
		return app.getBean(NacosConfigSources.class)
			.all()
			.stream()
			.map(NacosConfigSources.Loaded::resource)
			.filter((resource) -> resource.getDataId().equals(dataId))
			.findFirst()
			.orElseThrow();
	}

	private static List<String> nacosSources(ConfigurableApplicationContext app) {
		List<String> names = new ArrayList<>();
		for (PropertySource<?> source : app.getEnvironment().getPropertySources()) {
			if (source instanceof NacosConfigPropertySource) {
				names.add(source.getName());
			}
		}
		return names;
	}

	private static String name(String group, String dataId) {
		return "nacos:" + namespace + "/" + group + "/" + dataId;
	}

}
