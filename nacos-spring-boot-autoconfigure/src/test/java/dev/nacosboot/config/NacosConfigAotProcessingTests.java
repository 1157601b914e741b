package dev.nacosboot.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplicationAotProcessor;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.aot.AbstractAotProcessor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring AOT processing ({@code spring-boot:process-aot}) of an application that imports
 * Nacos config: the build contacts no Nacos server (it reads nothing over HTTP and opens
 * no connection) and still keeps the watcher, so the processed application reads and
 * watches its config when it runs.
 */
@ExtendWith(OutputCaptureExtension.class)
class NacosConfigAotProcessingTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	@Test
	void processingContactsNoServerAndKeepsTheWatcher(@TempDir Path output, CapturedOutput log) throws IOException {
		String group = nacos.target().unique("aot");
		long httpRequestsBefore = nacos.target().isExternal() ? 0 : nacos.target().server().httpRequestCount();
		AbstractAotProcessor.Settings settings = AbstractAotProcessor.Settings.builder()
			.sourceOutput(output.resolve("sources"))
			.resourceOutput(output.resolve("resources"))
			.classOutput(output.resolve("classes"))
			.groupId("dev.nacosboot")
			.artifactId("aot-test")
			.build();

		new SpringApplicationAotProcessor(AotApplication.class, settings, ConfigImportTestSupport.args(nacos.target(),
				"--spring.config.import=nacos:aot.properties?group=" + group))
			.process();

		assertThat(log).contains("Not reading Nacos config 'aot.properties' (group '" + group
				+ "') while Spring AOT processes the application: Nacos config is read when the application runs");
		if (!nacos.target().isExternal()) {
			assertThat(nacos.target().server().httpRequestCount()).isEqualTo(httpRequestsBefore);
			assertThat(nacos.target().server().connections()).isEmpty();
			assertThat(nacos.target().server().requestCount("ServerCheckRequest")).isZero();
		}
		assertThat(System.getProperty(AbstractAotProcessor.AOT_PROCESSING)).isNull();
		try (Stream<Path> sources = Files.walk(output.resolve("sources"))) {
			assertThat(sources.filter((file) -> file.toString().endsWith(".java")).anyMatch((file) -> {
				try {
					return Files.readString(file).contains("nacosConfigWatcher");
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			})).isTrue();
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	public static class AotApplication {

		public static void main(String[] args) {
			new SpringApplicationBuilder(AotApplication.class).web(WebApplicationType.NONE).run(args);
		}

	}

}
