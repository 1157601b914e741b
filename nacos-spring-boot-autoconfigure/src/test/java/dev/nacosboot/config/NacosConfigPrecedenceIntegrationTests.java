package dev.nacosboot.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The precedence table of {@code docs/config.md}, row by row, against a running
 * application whose {@code application.yml} ({@code src/test/resources/precedence/}) has
 * one source of every rank: several imports, a bare import with a profile, shared and
 * extension configs, a profile document with its own import, and each preference. The
 * rows are read from the docs, so the docs cannot drift from what the starter does.
 */
class NacosConfigPrecedenceIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final Path DOCS = Path.of("..", "docs", "config.md");

	private static final Pattern EXAMPLE = Pattern.compile("`([^`]+)`");

	private static String group;

	private static ConfigPublisher publisher;

	private static ConfigurableApplicationContext context;

	@BeforeAll
	static void startApplication() throws IOException {
		group = nacos.target().unique("precedence");
		publisher = new ConfigPublisher(nacos.target());
		for (Row row : rows()) {
			for (String example : row.examples()) {
				String dataId = dataIdOf(example);
				if (dataId != null) {
					publisher.publishReadable(dataId, group, "rank: " + dataId + "\n", "yaml");
				}
			}
		}
		context = new SpringApplicationBuilder(TestApplication.class).web(WebApplicationType.NONE)
			.properties("rank=defaultProperties")
			.run(ConfigImportTestSupport.args(nacos.target(), "--spring.config.location=classpath:/precedence/",
					"--spring.profiles.active=dev", "--precedence.group=" + group));
	}

	@AfterAll
	static void stopApplication() throws Exception {
		if (context != null) {
			context.close();
		}
		publisher.close();
	}

	static List<Row> rows() throws IOException {
		String docs = Files.readString(DOCS);
		String table = docs.substring(docs.indexOf("<!-- precedence-table:start -->"),
				docs.indexOf("<!-- precedence-table:end -->"));
		List<Row> rows = new ArrayList<>();
		for (String line : table.lines().toList()) {
			String[] cells = line.split("\\|");
			if (cells.length < 4 || !cells[1].trim().matches("\\d+")) {
				continue;
			}
			List<String> examples = new ArrayList<>();
			Matcher matcher = EXAMPLE.matcher(cells[3]);
			while (matcher.find()) {
				examples.add(matcher.group(1));
			}
			rows.add(new Row(Integer.parseInt(cells[1].trim()), cells[2].trim(), examples));
		}
		assertThat(rows).as("rows of the precedence table in %s", DOCS).hasSizeGreaterThan(5);
		return rows;
	}

	static Stream<Row> ranks() throws IOException {
		return rows().stream();
	}

	@ParameterizedTest(name = "rank {0}")
	@MethodSource("ranks")
	void rankIsBelowThePreviousOneAndOrdersItsExamplesAsDocumented(Row row) throws IOException {
		List<String> names = context.getEnvironment()
			.getPropertySources()
			.stream()
			.map(PropertySource::getName)
			.toList();
		List<Integer> positions = positions(row, names);
		assertThat(positions).as("positions of %s in %s", row.examples(), names).isSorted().doesNotHaveDuplicates();
		List<Row> rows = rows();
		int index = rows.indexOf(row);
		if (index > 0) {
			Row above = rows.get(index - 1);
			assertThat(positions.get(0)).as("%s ranks below %s in %s", row.examples(), above.examples(), names)
				.isGreaterThan(positions(above, names).get(above.examples().size() - 1));
		}
	}

	@Test
	void everyDataIdOfTheTableIsLoadedWithItsContent() throws IOException {
		for (Row row : rows()) {
			for (String example : row.examples()) {
				String dataId = dataIdOf(example);
				if (dataId != null) {
					PropertySource<?> source = context.getEnvironment()
						.getPropertySources()
						.get("nacos:public/" + group + "/" + dataId);
					assertThat(source).as(dataId).isNotNull();
					assertThat(source.getProperty("rank")).isEqualTo(dataId);
				}
			}
		}
	}

	@Test
	void topRowWinsForAKeyEveryRankSets() {
		assertThat(context.getEnvironment().getProperty("rank")).isEqualTo("orders-remote.yaml");
	}

	private static List<Integer> positions(Row row, List<String> names) {
		List<Integer> positions = new ArrayList<>();
		for (String example : row.examples()) {
			Predicate<String> matches = matcher(example);
			int position = -1;
			for (int i = 0; i < names.size(); i++) {
				if (matches.test(names.get(i))) {
					position = i;
					break;
				}
			}
			assertThat(position).as("a property source for '%s' in %s", example, names).isNotNegative();
			positions.add(position);
		}
		return positions;
	}

	private static Predicate<String> matcher(String example) {
		if (example.startsWith("--")) {
			return "commandLineArgs"::equals;
		}
		if (example.equals("defaultProperties")) {
			return "defaultProperties"::equals;
		}
		if (example.startsWith("application")) {
			String file = example.replaceAll(" .*", "");
			String document = example.contains("on-profile") ? "(document #1)"
					: (file.equals("application.yml") ? "(document #0)" : "");
			return (name) -> name.contains("[precedence/" + file + "]") && name.endsWith(document);
		}
		String dataId = dataIdOf(example);
		return (name) -> name.equals("nacos:public/" + group + "/" + dataId);
	}

	private static String dataIdOf(String example) {
		if (example.startsWith("--") || example.startsWith("application") || example.equals("defaultProperties")) {
			return null;
		}
		String dataId = example.startsWith("nacos:") ? example.substring("nacos:".length()) : example;
		int query = dataId.indexOf('?');
		return (query >= 0) ? dataId.substring(0, query) : dataId;
	}

	record Row(int rank, String source, List<String> examples) {

		@Override
		public String toString() {
			return this.rank + " (" + this.source + ")";
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
