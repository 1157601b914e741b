package dev.nacosboot.registry;

import java.time.Duration;
import java.util.List;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An {@code application.yml} written for Spring Cloud Alibaba works unchanged; only the
 * server address (and a unique service name, for shared servers) come from the command
 * line.
 */
class SpringCloudAlibabaCompatibilityIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	@Test
	void springCloudAlibabaApplicationYamlRegistersAsItDidThere() throws Exception {
		String service = nacos.target().unique("sca-orders");
		List<String> args = new java.util.ArrayList<>(List.of("--spring.config.location=classpath:/sca/application.yml",
				"--spring.cloud.nacos.discovery.server-addr=" + nacos.target().serverAddr(),
				"--spring.cloud.nacos.discovery.service=" + service, "--server.port=0"));
		nacos.target().username().ifPresent((user) -> args.add("--spring.cloud.nacos.username=" + user));
		nacos.target().password().ifPresent((secret) -> args.add("--spring.cloud.nacos.password=" + secret));
		NamingService observer = NacosFactory.createNamingService(nacos.target().clientProperties());
		try (ConfigurableApplicationContext app = new SpringApplicationBuilder(TestApps.ProviderApplication.class)
			.web(WebApplicationType.SERVLET)
			.properties("spring.jmx.enabled=false")
			.run(args.toArray(String[]::new))) {
			int port = app.getBean(NacosRegistration.class).getPort();
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				List<Instance> instances = observer.getAllInstances(service, "SCA_GROUP", false);
				assertThat(instances).singleElement().satisfies((instance) -> {
					assertThat(instance.getIp()).isEqualTo("127.0.0.1");
					assertThat(instance.getPort()).isEqualTo(port);
					assertThat(instance.getClusterName()).isEqualTo("SH");
					assertThat(instance.getWeight()).isEqualTo(2.0);
					assertThat(instance.getMetadata()).containsEntry("version", "9.9.9").containsEntry("zone", "sh-1");
				});
			});
		}
		finally {
			observer.shutDown();
		}
	}

}
