package dev.nacosboot.config;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.origin.OriginTrackedValue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class NacosConfigFormatTests {

	@Test
	void formatComesFromTheDataIdExtension() {
		assertThat(NacosConfigFormat.of("a.yml", "json", "properties")).isEqualTo(NacosConfigFormat.YAML);
		assertThat(NacosConfigFormat.of("a.JSON", null, "properties")).isEqualTo(NacosConfigFormat.JSON);
		assertThat(NacosConfigFormat.of("a.xml", null, "yaml")).isEqualTo(NacosConfigFormat.XML);
	}

	@Test
	void formatComesFromTheTypeWhenTheExtensionTellsNone() {
		assertThat(NacosConfigFormat.of("app", "yaml", "properties")).isEqualTo(NacosConfigFormat.YAML);
		assertThat(NacosConfigFormat.of("app.conf", "json", "properties")).isEqualTo(NacosConfigFormat.JSON);
	}

	@Test
	void formatComesFromFileExtensionWhenTheDataIdHasNoExtensionAndTheTypeIsText() {
		assertThat(NacosConfigFormat.of("app", "text", "yml")).isEqualTo(NacosConfigFormat.YAML);
	}

	@Test
	void unknownFormatIsAnErrorNamingTheDataId() {
		assertThatExceptionOfType(NacosConfigFormatException.class)
			.isThrownBy(() -> NacosConfigFormat.of("app.toml", "text", "properties"))
			.withMessageContaining("'app.toml'")
			.withMessageContaining("unknown format");
	}

	@Test
	void propertiesAreParsed() {
		Map<String, Object> properties = NacosConfigFormat.PROPERTIES.parse("a.properties", "a=1\nb.c = two\n");

		assertThat(properties).containsOnlyKeys("a", "b.c");
		assertThat(properties.get("b.c")).hasToString("two");
	}

	@Test
	void yamlWithNestedMapsListsAndSeveralDocumentsIsFlattenedAndALaterDocumentWins() {
		String yaml = """
				server:
				  port: 8080
				  hosts: [a, b]
				list:
				  - name: x
				  - name: y
				---
				server:
				  port: 9090
				""";

		Map<String, Object> properties = NacosConfigFormat.YAML.parse("app.yaml", yaml);

		assertThat(properties).containsKeys("server.hosts[0]", "server.hosts[1]", "list[0].name", "list[1].name");
		assertThat(properties.get("server.port")).hasToString("9090");
		assertThat(properties.get("list[1].name")).hasToString("y");
	}

	@Test
	void jsonIsParsed() {
		Map<String, Object> properties = NacosConfigFormat.JSON.parse("app.json",
				"{\"app\": {\"name\": \"n\", \"ids\": [1, 2]}}");

		assertThat(properties.get("app.name")).hasToString("n");
		assertThat(properties.get("app.ids[1]")).hasToString("2");
	}

	@Test
	void xmlPropertiesAreParsed() {
		String xml = """
				<?xml version="1.0" encoding="UTF-8"?>
				<!DOCTYPE properties SYSTEM "http://java.sun.com/dtd/properties.dtd">
				<properties><entry key="app.name">x</entry></properties>
				""";

		assertThat(NacosConfigFormat.XML.parse("app.xml", xml)).containsEntry("app.name", "x");
	}

	@Test
	void malformedYamlNamesTheDataIdAndTheLine() {
		assertThatExceptionOfType(NacosConfigFormatException.class)
			.isThrownBy(() -> NacosConfigFormat.YAML.parse("app.yaml", "a: 1\nb: [unclosed\nc: 3\n"))
			.satisfies((ex) -> {
				assertThat(ex.getDataId()).isEqualTo("app.yaml");
				assertThat(ex.getLine()).isNotNull();
			})
			.withMessageContaining("'app.yaml'")
			.withMessageContaining("line");
	}

	@Test
	void malformedJsonNamesTheDataId() {
		assertThatExceptionOfType(NacosConfigFormatException.class)
			.isThrownBy(() -> NacosConfigFormat.JSON.parse("app.json", "{\"a\": [1, 2}"))
			.withMessageContaining("'app.json'");
	}

	@Test
	void malformedXmlNamesTheDataIdAndTheProblem() {
		assertThatExceptionOfType(NacosConfigFormatException.class).isThrownBy(
				() -> NacosConfigFormat.XML.parse("app.xml", "<properties>\n<entry key='a'>x</entr>\n</properties>\n"))
			.withMessageContaining("'app.xml'")
			.withMessageContaining("DOCTYPE");
	}

	@Test
	void yamlValuesTrackTheirDataIdAndLineAndTimestampsStayText() {
		Map<String, Object> properties = NacosConfigFormat.YAML.parse("app.yaml", "a:\n  b: 1\nwhen: 2026-01-02\n");

		assertThat(properties.get("a.b")).isInstanceOf(OriginTrackedValue.class);
		assertThat(((OriginTrackedValue) properties.get("a.b")).getOrigin())
			.hasToString("Nacos config 'app.yaml' - 2:6");
		assertThat(properties.get("when")).hasToString("2026-01-02");
	}

	@Test
	void yamlThatExpandsToTooManyValuesWithinTheAliasLimitIsRefused() {
		// 41 aliases, 10^5 * 2 values once expanded.
		StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
		for (int level = 1; level <= 5; level++) {
			yaml.append("a").append(level).append(": &a").append(level).append(" [");
			for (int i = 0; i < ((level < 5) ? 10 : 2); i++) {
				yaml.append((i > 0) ? ", " : "").append("*a").append(level - 1);
			}
			yaml.append("]\n");
		}
		assertThatExceptionOfType(NacosConfigFormatException.class)
			.isThrownBy(() -> NacosConfigFormat.YAML.parse("bomb.yaml", yaml.toString()))
			.withMessageContaining("more than 100000 values");
	}

	@Test
	void yamlWithACollectionInsideItselfIsRefused() {
		assertThatExceptionOfType(NacosConfigFormatException.class)
			.isThrownBy(() -> NacosConfigFormat.YAML.parse("loop.yaml", "r: &r\n  value: loop\n  self: *r\n"))
			.withMessageContaining("recursive");
	}

	@Test
	void yamlNestedDeeperThanTheLimitIsRefused() {
		String deep = "a: " + "[".repeat(60) + "]".repeat(60) + "\n";
		assertThatExceptionOfType(NacosConfigFormatException.class)
			.isThrownBy(() -> NacosConfigFormat.YAML.parse("deep.yaml", deep))
			.withMessageContaining("Nesting Depth");
	}

	@Test
	void yamlWithDuplicateKeysIsRefusedWithTheLine() {
		assertThatExceptionOfType(NacosConfigFormatException.class)
			.isThrownBy(() -> NacosConfigFormat.YAML.parse("dup.yaml", "a: 1\nb: 2\na: 3\n"))
			.satisfies((ex) -> assertThat(ex.getLine()).isEqualTo(3));
	}

}
