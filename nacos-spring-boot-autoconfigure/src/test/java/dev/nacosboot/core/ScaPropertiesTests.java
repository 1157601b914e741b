package dev.nacosboot.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

import dev.nacosboot.core.ScaCompatibility.Entry;
import dev.nacosboot.core.ScaCompatibility.Status;
import org.apache.commons.logging.Log;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.ArgumentMatchers.contains;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * Every property in Spring Cloud Alibaba 2025.1's configuration metadata (unpacked from
 * its jars into {@code target/sca-metadata} by the build) against
 * {@link ScaCompatibility}: each one binds to ours (present in our metadata with a
 * compatible type; a different default is explained), sets ours through an alias, is
 * ignored with a reason and reported once at startup when set, or is refused with the
 * property to use instead. {@code docs/sca-properties.md} is generated from the same
 * table.
 */
class ScaPropertiesTests {

	static final Path DOCS = Path.of("..", "docs", "sca-properties.md");

	private static final String REGENERATE = "./mvnw -pl nacos-spring-boot-autoconfigure -am verify"
			+ " -Dtest=ScaPropertiesTests -Dsurefire.failIfNoSpecifiedTests=false -Dsca.properties.write=true";

	@Test
	void everySpringCloudAlibabaPropertyHasExactlyOneEntryAndEveryEntryOneProperty() throws IOException {
		Map<String, Property> sca = scaProperties();
		assertThat(sca).as("properties in %s", scaMetadataDirectory()).hasSizeGreaterThan(50);
		List<String> entries = ScaCompatibility.ENTRIES.stream().map(Entry::scaProperty).toList();
		assertThat(entries).doesNotHaveDuplicates();
		assertThat(entries).as("entries of ScaCompatibility").containsExactlyInAnyOrderElementsOf(sca.keySet());
	}

	static Stream<Entry> bound() {
		return ScaCompatibility.ENTRIES.stream().filter((entry) -> entry.status() == Status.BOUND);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("bound")
	void boundPropertyIsOneOfOursWithACompatibleTypeAndAnyOtherDefaultExplained(Entry entry) throws IOException {
		Property sca = scaProperties().get(entry.scaProperty());
		Property ours = ourProperties().get(entry.ours());
		assertThat(ours).as("%s in our configuration metadata", entry.ours()).isNotNull();
		assertThat(accepts(ours.type(), sca.type()))
			.as("%s (%s) takes the values of %s (%s)", entry.ours(), ours.type(), entry.scaProperty(), sca.type())
			.isTrue();
		if (defaultsDiffer(sca, ours)) {
			assertThat(entry.note())
				.as("the default of %s (%s) differs from Spring Cloud Alibaba's (%s): the table must say why",
						entry.ours(), ours.defaultValue(), sca.defaultValue())
				.isNotBlank();
		}
	}

	static Stream<Entry> ignored() {
		return ScaCompatibility.ENTRIES.stream().filter((entry) -> entry.status() == Status.IGNORED);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("ignored")
	void ignoredPropertyIsReportedOnceAtInfoWhenSetWithItsReason(Entry entry) {
		assertThat(entry.note()).isNotBlank();
		Log log = mock(Log.class);
		StandardEnvironment environment = environment(entry.scaProperty(), "1");

		postProcessor(log).postProcessEnvironment(environment, new SpringApplication());

		verify(log, times(1)).info(contains(entry.scaProperty()));
		verify(log, times(1)).info(contains(entry.note()));
	}

	@Test
	void ignoredPropertyThatIsNotSetIsNotReported() {
		Log log = mock(Log.class);

		postProcessor(log).postProcessEnvironment(new StandardEnvironment(), new SpringApplication());

		verify(log, never()).info(contains("spring.cloud.nacos"));
	}

	static Stream<Entry> refused() {
		return ScaCompatibility.ENTRIES.stream().filter((entry) -> entry.status() == Status.REFUSED);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("refused")
	void refusedPropertyFailsStartupNamingTheReplacement(Entry entry) {
		StandardEnvironment environment = environment(entry.scaProperty(), "x");

		assertThatExceptionOfType(InvalidNacosPropertiesException.class)
			.isThrownBy(
					() -> postProcessor(mock(Log.class)).postProcessEnvironment(environment, new SpringApplication()))
			.satisfies((ex) -> {
				assertThat(ex.getViolations()).singleElement().satisfies((violation) -> {
					assertThat(violation.property()).isEqualTo(entry.scaProperty());
					assertThat(violation.action()).contains(entry.ours());
				});
				String report = new InvalidNacosPropertiesFailureAnalyzer().analyze(ex).getAction();
				assertThat(report).contains(entry.scaProperty()).contains(entry.ours());
			});
	}

	static Stream<Entry> aliases() {
		return ScaCompatibility.ENTRIES.stream().filter((entry) -> entry.status() == Status.ALIAS);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("aliases")
	void aliasSetsOursUnlessOursIsSet(Entry entry) {
		StandardEnvironment environment = environment(entry.scaProperty(), "false");
		postProcessor(mock(Log.class)).postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty(entry.ours())).isEqualTo("false");

		StandardEnvironment both = environment(entry.scaProperty(), "false");
		both.getPropertySources().addFirst(new MapPropertySource("ours", Map.of(entry.ours(), "true")));
		postProcessor(mock(Log.class)).postProcessEnvironment(both, new SpringApplication());
		assertThat(both.getProperty(entry.ours())).isEqualTo("true");
	}

	@Test
	void generatedTableInTheDocsIsCurrent() throws IOException {
		String generated = ScaPropertiesTable.markdown(scaProperties(),
				System.getProperty("sca.version", "2025.1.0.0"));
		if (Boolean.getBoolean("sca.properties.write")) {
			Files.writeString(DOCS, generated, StandardCharsets.UTF_8);
		}
		String current = Files.exists(DOCS) ? Files.readString(DOCS, StandardCharsets.UTF_8) : "";
		assertThat(current).as("%s is stale: regenerate it with%n  %s%n", DOCS, REGENERATE).isEqualTo(generated);
	}

	private static ScaCompatibilityEnvironmentPostProcessor postProcessor(Log log) {
		DeferredLogFactory logFactory = (destination) -> log;
		return new ScaCompatibilityEnvironmentPostProcessor(logFactory);
	}

	private static StandardEnvironment environment(String property, String value) {
		StandardEnvironment environment = new StandardEnvironment();
		String name = property;
		if (property.endsWith("nacos-properties")) {
			// A map-typed property: set one of its entries.
			name = property + ".key";
		}
		environment.getPropertySources().addFirst(new MapPropertySource("test", Map.of(name, value)));
		return environment;
	}

	static Path scaMetadataDirectory() {
		return Path.of(System.getProperty("sca.metadata.directory", "target/sca-metadata"));
	}

	/** The properties of every SCA metadata file, by name (first file wins). */
	static Map<String, Property> scaProperties() throws IOException {
		Map<String, Property> properties = new TreeMap<>();
		List<Path> files;
		try (Stream<Path> walk = Files.walk(scaMetadataDirectory())) {
			files = walk.filter((path) -> path.getFileName().toString().endsWith("configuration-metadata.json"))
				.sorted()
				.toList();
		}
		assertThat(files).as("SCA metadata files unpacked by the build").hasSize(6);
		for (Path file : files) {
			String artifact = scaMetadataDirectory().relativize(file).getName(0).toString();
			read(file).forEach((name, property) -> properties.putIfAbsent(name,
					new Property(name, property.type(), property.defaultValue(), artifact)));
		}
		return properties;
	}

	static Map<String, Property> ourProperties() throws IOException {
		return read(Path.of("target", "classes", "META-INF", "spring-configuration-metadata.json"));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Property> read(Path file) throws IOException {
		Map<String, Object> json = JsonParserFactory.getJsonParser()
			.parseMap(Files.readString(file, StandardCharsets.UTF_8));
		Map<String, Property> properties = new TreeMap<>();
		for (Object item : (List<Object>) json.getOrDefault("properties", List.of())) {
			Map<String, Object> property = (Map<String, Object>) item;
			String name = (String) property.get("name");
			properties.put(name, new Property(name, Objects.toString(property.get("type"), ""),
					(property.get("defaultValue") != null) ? String.valueOf(property.get("defaultValue")) : null,
					file.toString()));
		}
		return properties;
	}

	/** Whether our type takes every value written for SCA's type. */
	private static boolean accepts(String ours, String sca) {
		String our = category(ours);
		String their = category(sca);
		return switch (our) {
			case "string" -> their.equals("string");
			case "boolean", "number", "enum" -> their.equals(our) || their.equals("string");
			case "duration" -> their.equals("number") || their.equals("string");
			case "list" -> their.equals("list");
			case "map" -> their.equals("map");
			default -> false;
		};
	}

	private static String category(String type) {
		if (type.startsWith("java.util.List")) {
			return "list";
		}
		if (type.startsWith("java.util.Map") || type.equals("java.util.Properties")) {
			return "map";
		}
		return switch (type) {
			case "java.lang.String" -> "string";
			case "java.lang.Boolean", "boolean" -> "boolean";
			case "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double", "int", "long" ->
				"number";
			case "java.time.Duration" -> "duration";
			default -> "enum";
		};
	}

	private static boolean defaultsDiffer(Property sca, Property ours) {
		if (sca.defaultValue() == null || sca.defaultValue().startsWith("${")) {
			return false;
		}
		if (ours.defaultValue() == null) {
			// Ours leaves it to the client or derives it (server-addr, service, ...):
			// the same default in effect.
			return false;
		}
		String their = sca.defaultValue().toLowerCase(Locale.ROOT);
		String our = ours.defaultValue().toLowerCase(Locale.ROOT);
		if (ours.type().equals("java.time.Duration") && their.matches("\\d+")) {
			Duration theirs = Duration.ofMillis(Long.parseLong(their));
			return !theirs.equals(DurationStyle.detectAndParse(our));
		}
		if (their.matches("[\\d.]+") && our.matches("[\\d.]+")) {
			return Double.parseDouble(their) != Double.parseDouble(our);
		}
		return !their.replace('_', '-').equals(our.replace('_', '-'));
	}

	/**
	 * A property of a configuration metadata file.
	 *
	 * @param name the name
	 * @param type the type
	 * @param defaultValue the default, if the metadata states one
	 * @param origin where it was read
	 */
	record Property(String name, String type, String defaultValue, String origin) {
	}

	/**
	 * Writes the table of {@code docs/sca-properties.md}.
	 */
	static final class ScaPropertiesTable {

		private ScaPropertiesTable() {
		}

		static String markdown(Map<String, Property> sca, String version) {
			Map<Status, Integer> counts = new TreeMap<>();
			List<String> rows = new ArrayList<>();
			for (Property property : sca.values()) {
				Entry entry = ScaCompatibility.find(property.name());
				if (entry == null) {
					rows.add("| `" + property.name() + "` | **unclassified** | | |");
					continue;
				}
				counts.merge(entry.status(), 1, Integer::sum);
				rows.add("| `" + property.name() + "` | " + status(entry) + " | " + here(entry) + " | "
						+ entry.note().replace("|", "\\|") + " |");
			}
			StringBuilder markdown = new StringBuilder();
			markdown.append("# Spring Cloud Alibaba properties\n\n");
			markdown.append("<!-- Generated by ScaPropertiesTests from ScaCompatibility and the configuration metadata")
				.append(" of Spring Cloud Alibaba ")
				.append(version)
				.append(". Do not edit: regenerate with\n     ")
				.append(REGENERATE)
				.append(" -->\n\n");
			markdown.append("Every property in the configuration metadata of Spring Cloud Alibaba ")
				.append(version)
				.append("'s `spring-cloud-starter-alibaba-nacos-config`, `spring-alibaba-nacos-config` and")
				.append(" `spring-cloud-starter-alibaba-nacos-discovery`, and what this starter does with it:\n\n");
			markdown.append("- **bound**: binds to the property named under *here*, with Spring Cloud Alibaba's")
				.append(" meaning (the note says what differs around it);\n");
			markdown.append("- **bound (alias)**: sets the property named under *here*, unless that one is set;\n");
			markdown.append("- **ignored**: has no meaning here; when set, startup logs it once at INFO with the")
				.append(" reason;\n");
			markdown.append("- **refused**: startup fails with a report naming the property to use instead.\n\n");
			markdown.append("Counts: ");
			List<String> parts = new ArrayList<>();
			counts.forEach((status, count) -> parts.add(count + " " + label(status)));
			markdown.append(String.join(", ", parts)).append(" (").append(sca.size()).append(" in all).\n\n");
			markdown.append("| Spring Cloud Alibaba property | status | here | note |\n");
			markdown.append("|---|---|---|---|\n");
			rows.forEach((row) -> markdown.append(row).append('\n'));
			return markdown.toString();
		}

		private static String label(Status status) {
			return switch (status) {
				case BOUND -> "bound";
				case ALIAS -> "bound through an alias";
				case IGNORED -> "ignored";
				case REFUSED -> "refused";
			};
		}

		private static String status(Entry entry) {
			return switch (entry.status()) {
				case BOUND -> "bound";
				case ALIAS -> "bound (alias)";
				case IGNORED -> "ignored";
				case REFUSED -> "refused";
			};
		}

		private static String here(Entry entry) {
			return switch (entry.status()) {
				case BOUND, ALIAS -> "`" + entry.ours() + "`";
				case REFUSED -> "use `" + entry.ours() + "`";
				case IGNORED -> "";
			};
		}

	}

}
