package dev.nacosboot.config;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import dev.nacosboot.testsupport.TestApps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A training run ({@code -Dspring.context.exit=onRefresh}, what Spring Boot's CDS and AOT
 * cache instructions and the buildpacks launch) in its own JVM, as an image build runs
 * it: Spring halts the JVM once the context is refreshed. A required import that cannot
 * be read (no server answers, the read is refused, the data id is missing) must not end
 * it, while the same start without the property still fails, and a reachable server is
 * still read. The server has auth on, as an image build's Nacos would (against an
 * external Nacos, when {@code NACOS_USERNAME} says it has).
 */
class TrainingRunIntegrationTests {

	private static final String PASSWORD = "Trainer-Secret-1";

	@RegisterExtension
	static final NacosTestServerExtension nacos = NacosTestServerExtension.withAuth("trainer", PASSWORD);

	private static ConfigPublisher publisher;

	/** The group of every import. */
	private static String group;

	@BeforeAll
	static void publisher() {
		publisher = new ConfigPublisher(nacos.target());
		group = nacos.target().unique("training-group");
	}

	@AfterAll
	static void closePublisher() throws Exception {
		publisher.close();
	}

	@Test
	void unreachableServerDoesNotEndATrainingRunEvenWithFailFast() throws Exception {
		String dataId = nacos.target().unique("training") + ".properties";
		Run run = launch(Training.SYSTEM_PROPERTY, dataId, unreachableServer(),
				"spring.cloud.nacos.config.fail-fast=true");
		assertThat(run.exitValue()).as(run.describe()).isZero();
		assertThat(run.output()).anyMatch((line) -> line.contains("is unreachable: starting without")
				&& line.contains(dataId) && line.contains("this is a training run"));
		assertThat(run.output()).filteredOn((line) -> line.contains(dataId) && line.contains(" WARN ")).hasSize(1);
		assertThat(run.output()).contains("REFRESHED value=absent");
	}

	@Test
	void unreachableServerStillEndsAStartThatIsNotATrainingRun() throws Exception {
		String dataId = nacos.target().unique("training") + ".properties";
		Run run = launch(Training.NONE, dataId, unreachableServer());
		assertThat(run.exitValue()).as(run.describe()).isNotZero();
		assertThat(run.output()).anyMatch((line) -> line.contains("unreachable and there is no local snapshot"));
		assertThat(run.output()).noneMatch((line) -> line.startsWith("REFRESHED"));
	}

	@Test
	void reachableServerIsReadInATrainingRun() throws Exception {
		String dataId = published("training", "properties", "training.value=from-nacos\n");
		Run run = launch(Training.SYSTEM_PROPERTY, dataId);
		assertThat(run.exitValue()).as(run.describe()).isZero();
		assertThat(run.output()).contains("REFRESHED value=from-nacos");
	}

	@Test
	void refusedReadDoesNotEndATrainingRunAndShowsNoSecret() throws Exception {
		assumeTrue(nacos.target().username().isPresent(), "needs a server with auth on");
		String dataId = published("training", "properties", "training.value=from-nacos\n");
		String password = nacos.target().password().orElse(PASSWORD);
		String wrong = "Wrong-" + password;
		Run run = launch(Training.SYSTEM_PROPERTY, dataId, "spring.cloud.nacos.password=" + wrong);
		assertThat(run.exitValue()).as(run.describe()).isZero();
		assertThat(run.output()).anyMatch((line) -> line.contains("Starting without") && line.contains(dataId)
				&& line.contains("this is a training run"));
		assertThat(run.output()).contains("REFRESHED value=absent");
		assertThat(run.output()).noneMatch((line) -> line.contains(password));
	}

	@Test
	void missingDataIdDoesNotEndATrainingRunAskedForInSpringProperties() throws Exception {
		String dataId = nacos.target().unique("training-missing") + ".properties";
		Run run = launch(Training.SPRING_PROPERTIES, dataId);
		assertThat(run.exitValue()).as(run.describe()).isZero();
		assertThat(run.output())
			.anyMatch((line) -> line.contains(dataId) && line.contains("does not exist: starting without it"));
		assertThat(run.output()).contains("REFRESHED value=absent");
	}

	@Test
	void malformedContentStillEndsATrainingRun() throws Exception {
		String dataId = published("training-malformed", "yaml", "training: [unclosed\n");
		Run run = launch(Training.SYSTEM_PROPERTY, dataId);
		assertThat(run.exitValue()).as(run.describe()).isNotZero();
		assertThat(run.output()).anyMatch((line) -> line.contains("APPLICATION FAILED TO START"));
		assertThat(run.output()).anyMatch((line) -> line.contains("Fix the content of '" + dataId + "'"));
		assertThat(run.output()).noneMatch((line) -> line.startsWith("REFRESHED"));
	}

	/**
	 * Publishes a data id of a unique name in the imports' group.
	 * @param prefix the start of its name
	 * @param type its extension, which is its type
	 * @param content what it holds
	 * @return its data id
	 */
	private static String published(String prefix, String type, String content) {
		String dataId = nacos.target().unique(prefix) + "." + type;
		publisher.publishReadable(dataId, group, content, type);
		return dataId;
	}

	/** A loopback address where nothing listens: the port was free a moment ago. */
	private static String unreachableServer() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return "spring.cloud.nacos.server-addr=127.0.0.1:" + socket.getLocalPort();
		}
	}

	/**
	 * Runs the application in a JVM of its own until it ends.
	 * @param training whether it is a training run, and how it is asked for
	 * @param dataId the data id imported, in the imports' group
	 * @param overrides {@code name=value} settings that replace the test's own
	 */
	private static Run launch(Training training, String dataId, String... overrides) throws Exception {
		Path springProperties = Files.createTempDirectory("training-run");
		List<String> command = new ArrayList<>(TestApps.childJvm(springProperties, TrainedApplication.class));
		if (training == Training.SYSTEM_PROPERTY) {
			command.add(1, "-Dspring.context.exit=onRefresh");
		}
		else if (training == Training.SPRING_PROPERTIES) {
			// Spring reads the value in any case.
			Files.writeString(springProperties.resolve("spring.properties"), "spring.context.exit=ONREFRESH\n");
		}
		Map<String, Object> properties = TestApps.common(nacos.target(), "DEFAULT_GROUP");
		for (String override : overrides) {
			properties.put(override.substring(0, override.indexOf('=')), override.substring(override.indexOf('=') + 1));
		}
		properties.forEach((key, value) -> command.add("--" + key + "=" + value));
		command.add("--spring.config.import=nacos:" + dataId + "?group=" + group);
		command.add("--server.port=0");
		command.add("--spring.application.name=trained");
		command.add("--spring.cloud.nacos.config.timeout=2s");
		command.add("--spring.main.banner-mode=off");
		Path log = springProperties.resolve("output.log");
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		try {
			if (!process.waitFor(120, TimeUnit.SECONDS)) {
				throw new IllegalStateException("The run did not end: " + Files.readString(log));
			}
			return new Run(process.exitValue(), Files.readAllLines(log, StandardCharsets.UTF_8));
		}
		finally {
			process.destroyForcibly();
			FileSystemUtils.deleteRecursively(springProperties);
		}
	}

	private enum Training {

		NONE, SYSTEM_PROPERTY, SPRING_PROPERTIES

	}

	private record Run(int exitValue, List<String> output) {

		String describe() {
			return "exit " + this.exitValue + ", output:\n" + String.join("\n", this.output);
		}

	}

	/**
	 * The trained application: prints {@code REFRESHED value=...} from a bean built while
	 * the context refreshes, before a training run is halted.
	 */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	public static class TrainedApplication {

		@Bean
		String trainingValue(@Value("${training.value:absent}") String value) {
			System.out.println("REFRESHED value=" + value);
			return value;
		}

		public static void main(String[] args) {
			SpringApplication.run(TrainedApplication.class, args);
		}

	}

}
