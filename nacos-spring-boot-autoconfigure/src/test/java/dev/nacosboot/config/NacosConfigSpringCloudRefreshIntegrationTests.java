package dev.nacosboot.config;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import dev.nacosboot.config.NacosConfigRefreshHistory.Outcome;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.cloud.bus.BusBridge;
import org.springframework.cloud.bus.event.RefreshRemoteApplicationEvent;
import org.springframework.cloud.bus.event.RemoteApplicationEvent;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.cloud.context.refresh.ContextRefresher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spring Cloud's own refresh paths ({@code POST /actuator/refresh}, Spring Cloud Bus'
 * {@code RefreshRemoteApplicationEvent} without a broker, {@code ContextRefresher}) read
 * the Nacos data ids again through the config-data loader and the application's own
 * clients: the values equal what the in-place refresh gives, {@code refresh=false} data
 * ids stay as loaded, and no client or listener is added. The in-place refresh is stopped
 * while a Spring Cloud path runs, so that each test sees that path alone.
 */
class NacosConfigSpringCloudRefreshIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static String group;

	private static ConfigPublisher publisher;

	private static ConfigurableApplicationContext context;

	private static int round;

	@BeforeAll
	static void startApplication() {
		group = nacos.target().unique("screfresh");
		publisher = new ConfigPublisher(nacos.target());
		publisher.publishReadable("live.properties", group, "live.value=zero\nlive.derived=${live.value}-d\n",
				"properties");
		publisher.publishReadable("fixed.properties", group, "fixed.value=f0\n", "properties");
		publisher.publishReadable("gone.properties", group, "gone.value=g0\nlive.value=from-gone\n", "properties");
		context = new SpringApplicationBuilder(TestApplication.class).web(WebApplicationType.SERVLET)
			.run(ConfigImportTestSupport.args(nacos.target(),
					"--spring.config.import[0]=optional:nacos:gone.properties?group=" + group,
					"--spring.config.import[1]=nacos:live.properties?group=" + group,
					"--spring.config.import[2]=nacos:fixed.properties?group=" + group + "&refresh=false",
					"--server.port=0", "--management.endpoints.web.exposure.include=refresh",
					"--spring.cloud.bus.enabled=true", "--spring.cloud.bus.id=screfresh"));
		// The tests count the client's connections and listeners: wait until the watcher
		// has set them up (client-start-delay after ready).
		ConfigImportTestSupport.listening(context);
	}

	@AfterAll
	static void stopApplication() throws Exception {
		if (context != null) {
			context.close();
		}
		publisher.close();
	}

	@BeforeEach
	void stopTheInPlaceRefresh() {
		context.getBean(NacosConfigWatcher.class).stop();
	}

	@AfterEach
	void startTheInPlaceRefreshAgain() {
		context.getBean(NacosConfigWatcher.class).start();
	}

	static Stream<RefreshPath> paths() {
		return Stream.of(RefreshPath.values());
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("paths")
	void refreshReadsTheChangedDataIdThroughTheLoaderAndEveryBeanFollows(RefreshPath path) throws Exception {
		int connections = configConnections();
		String value = "v" + (++round);
		String content = "live.value=" + value + "\nlive.derived=${live.value}-d\n";
		publisher.publishReadable("live.properties", group, content, "properties");
		publisher.publishReadable("fixed.properties", group, "fixed.value=f" + round + "\n", "properties");

		path.refresh(context);

		assertThat(context.getEnvironment().getProperty("live.value")).isEqualTo(value);
		assertThat(context.getBean(LiveProperties.class).getValue()).isEqualTo(value);
		assertThat(context.getBean(ValueHolder.class).value).isEqualTo(value);
		assertThat(context.getBean(ValueHolder.class).derived).isEqualTo(value + "-d");
		assertThat(context.getBean(RefreshedBean.class).value()).isEqualTo(value);
		assertThat(context.getEnvironment().getProperty("fixed.value")).isEqualTo("f0");
		assertThat(loaded("live.properties").md5()).isEqualTo(NacosConfigDataLoader.md5(content));
		assertThat(history("live.properties")).first()
			.satisfies((refresh) -> assertThat(refresh.outcome()).isEqualTo(Outcome.APPLIED));
		assertNoClientOrListenerWasAdded(connections);
	}

	@Test
	void inPlaceRefreshAfterASpringCloudRefreshAppliesOnlyNewContent() throws Exception {
		String value = "after-" + (++round);
		publisher.publishReadable("live.properties", group, "live.value=" + value + "\n", "properties");
		RefreshPath.CONTEXT_REFRESHER.refresh(context);
		assertThat(context.getEnvironment().getProperty("live.value")).isEqualTo(value);
		context.getBean(NacosConfigWatcher.class).start();
		int applied = history("live.properties").size();

		publisher.publish("live.properties", group, "live.value=" + value + "-in-place\n", "properties");

		await().atMost(TIMEOUT)
			.until(() -> (value + "-in-place").equals(context.getBean(LiveProperties.class).getValue()));
		assertThat(context.getBean(ValueHolder.class).value).isEqualTo(value + "-in-place");
		assertThat(history("live.properties")).hasSize(applied + 1);
	}

	@Test
	void invalidContentIsKeptOutAsTheInPlaceRefreshKeepsItOut() throws Exception {
		String before = context.getEnvironment().getProperty("live.value");
		String invalid = "live.value=\\u00zz\n";
		publisher.publishReadable("live.properties", group, invalid, "properties");

		RefreshPath.CONTEXT_REFRESHER.refresh(context);

		assertThat(context.getEnvironment().getProperty("live.value")).isEqualTo(before);
		assertThat(history("live.properties")).first().satisfies((refresh) -> {
			assertThat(refresh.outcome()).isEqualTo(Outcome.INVALID);
			assertThat(refresh.md5()).isEqualTo(NacosConfigDataLoader.md5(invalid));
		});
		publisher.publishReadable("live.properties", group, "live.value=" + before + "\n", "properties");
		RefreshPath.CONTEXT_REFRESHER.refresh(context);
	}

	@Test
	void deletedOptionalImportLosesItsKeysAsARestartWould() throws Exception {
		assertThat(context.getEnvironment().getProperty("gone.value")).isEqualTo("g0");
		publisher.remove("gone.properties", group);
		// A real Nacos deletes asynchronously: the refresh must read after it has.
		publisher.awaitAbsent("gone.properties", group);

		RefreshPath.CONTEXT_REFRESHER.refresh(context);

		assertThat(context.getEnvironment().getProperty("gone.value")).isNull();
		assertThat(history("gone.properties")).first()
			.satisfies((refresh) -> assertThat(refresh.outcome()).isEqualTo(Outcome.REMOVED));
	}

	private static void assertNoClientOrListenerWasAdded(int connectionsBefore) {
		assertThat(context.getBean(NacosConfigSources.class).all()).allSatisfy(
				(loaded) -> assertThat(loaded.configService()).isSameAs(loaded("live.properties").configService()));
		if (!nacos.target().isExternal()) {
			assertThat(configConnections()).isEqualTo(connectionsBefore);
			assertThat(nacos.target().server().configListeners(null, group, "live.properties")).hasSize(1);
			assertThat(nacos.target().server().configListeners(null, group, "fixed.properties")).isEmpty();
		}
	}

	private static int configConnections() {
		if (nacos.target().isExternal()) {
			return -1;
		}
		return (int) nacos.target()
			.server()
			.connections()
			.stream()
			.filter((connection) -> "config".equals(connection.module()))
			.count();
	}

	private static NacosConfigSources.Loaded loaded(String dataId) {
		return context.getBean(NacosConfigSources.class)
			.all()
			.stream()
			.filter((loaded) -> loaded.resource().getDataId().equals(dataId))
			.findFirst()
			.orElseThrow();
	}

	private static List<NacosConfigRefreshHistory.Refresh> history(String dataId) {
		return context.getBean(NacosConfigRefreshHistory.class)
			.refreshes()
			.stream()
			.filter((refresh) -> refresh.dataId().equals(dataId))
			.toList();
	}

	enum RefreshPath {

		ACTUATOR_REFRESH {
			@Override
			void refresh(ConfigurableApplicationContext context) throws Exception {
				int port = ((WebServerApplicationContext) context).getWebServer().getPort();
				HttpResponse<String> response = HttpClient.newHttpClient()
					.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/refresh"))
						.POST(HttpRequest.BodyPublishers.noBody())
						.build(), HttpResponse.BodyHandlers.ofString());
				assertThat(response.statusCode()).isEqualTo(200);
			}
		},

		SPRING_CLOUD_BUS_EVENT {
			@Override
			void refresh(ConfigurableApplicationContext context) {
				context.publishEvent(new RefreshRemoteApplicationEvent(this, "operator", () -> "**"));
			}
		},

		CONTEXT_REFRESHER {
			@Override
			void refresh(ConfigurableApplicationContext context) {
				context.getBean(ContextRefresher.class).refresh();
			}
		};

		abstract void refresh(ConfigurableApplicationContext context) throws Exception;

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableConfigurationProperties(LiveProperties.class)
	static class TestApplication {

		@Bean
		ValueHolder valueHolder() {
			return new ValueHolder();
		}

		@Bean
		@RefreshScope
		RefreshedBean refreshedBean(@Value("${live.value}") String value) {
			return new RefreshedBean(value);
		}

		/** The bus without a broker: events it would send go nowhere. */
		@Bean
		BusBridge recordingBusBridge() {
			List<RemoteApplicationEvent> sent = new CopyOnWriteArrayList<>();
			return sent::add;
		}

	}

	@ConfigurationProperties("live")
	static class LiveProperties {

		private volatile String value;

		public String getValue() {
			return this.value;
		}

		public void setValue(String value) {
			this.value = value;
		}

	}

	static class ValueHolder {

		@Value("${live.value}")
		volatile String value;

		@Value("${live.derived:none}")
		volatile String derived;

	}

	static class RefreshedBean {

		private final String value;

		RefreshedBean(String value) {
			this.value = value;
		}

		String value() {
			return this.value;
		}

	}

}
