package dev.nacosboot.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class JsonResponseParserTests {

	@Test
	void realServersAnswerDecodesToTheExactContentItsMd5Describes() throws IOException {
		// Nacos 3.0.3's answer for content with quotes, backslashes, a tab, a control
		// character, non-ASCII text, an emoji (escaped as a surrogate pair) and U+2028/9
		// (sent raw).
		Map<String, Object> answer = JsonResponseParser.parseObject(resource("nacos-3.0.3-v3-config.json"));

		assertThat(answer).containsEntry("code", 0L).containsEntry("message", "success");
		@SuppressWarnings("unchecked")
		Map<String, Object> data = (Map<String, Object>) answer.get("data");
		String content = (String) data.get("content");
		assertThat(content).isEqualTo("a=1\nquote=\"x\"\nback=C:\\\\path\\\\n\ntab=\tend\nslash=</script>\nzh=中文\n"
				+ "emoji=\uD83D\uDE00\nctl=\u0001\u001f\nuni=\u2028\u2029\n");
		assertThat(content.codePoints()).contains(0x1F600);
		assertThat(NacosConfigDataLoader.md5(content)).isEqualTo(data.get("md5"));
		assertThat(data).containsEntry("contentType", "properties")
			.containsEntry("encryptedDataKey", "")
			.containsEntry("tag", null)
			.containsEntry("beta", false)
			.containsEntry("lastModified", 1796405020282L);
	}

	@Test
	void realServersNotFoundAnswerHasItsCodeAndNoData() throws IOException {
		assertThat(JsonResponseParser.parseObject(resource("nacos-3.0.3-v3-not-found.json")))
			.containsEntry("code", 20004L)
			.containsEntry("data", null);
	}

	@Test
	void everyEscapeIsDecoded() {
		assertThat(JsonResponseParser.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\uD83D\\uDE00\\u0000\""))
			.isEqualTo("\"\\/\b\f\n\r\tAé\uD83D\uDE00\u0000");
	}

	@Test
	void valuesOfEveryKindAreParsed() {
		Object parsed = JsonResponseParser
			.parse(" {\"n\": -12, \"d\": 1.5e2, \"big\": 123456789012345678901234, \"t\": true, \"f\": false,"
					+ " \"z\": null, \"a\": [1, [\"x\"], {}], \"o\": {\"k\": \"v\"}, \"e\": \"\"} ");

		assertThat(parsed).isInstanceOf(Map.class);
		Map<?, ?> object = (Map<?, ?>) parsed;
		assertThat(object.get("n")).isEqualTo(-12L);
		assertThat(object.get("d")).isEqualTo(150.0);
		assertThat(object.get("big")).isEqualTo(1.2345678901234568E23);
		assertThat(object.get("t")).isEqualTo(true);
		assertThat(object.get("f")).isEqualTo(false);
		assertThat(object.containsKey("z")).isTrue();
		assertThat(object.get("z")).isNull();
		assertThat(object.get("a")).isEqualTo(List.of(1L, List.of("x"), Map.of()));
		assertThat(object.get("o")).isEqualTo(Map.of("k", "v"));
		assertThat(object.get("e")).isEqualTo("");
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{a:1}", "\"unterminated", "\"bad \\x\"",
			"\"short \\u12\"", "\"bad \\u12G4\"", "\"raw \n newline\"", "01", "-", "1.", "1e", "tru", "nul", "{} {}",
			"[1] x", "'single'" })
	void malformedJsonIsRefused(String json) {
		assertThatIllegalArgumentException().isThrownBy(() -> JsonResponseParser.parse(json))
			.withMessageStartingWith("Malformed JSON");
	}

	@Test
	void deepNestingIsRefused() {
		String deep = "[".repeat(100) + "]".repeat(100);

		assertThatIllegalArgumentException().isThrownBy(() -> JsonResponseParser.parse(deep))
			.withMessageContaining("nested deeper");
	}

	@Test
	void anObjectIsRequiredWhereOneIsExpected() {
		assertThatIllegalArgumentException().isThrownBy(() -> JsonResponseParser.parseObject("[1]"))
			.withMessage("not a JSON object");
	}

	private static String resource(String name) throws IOException {
		try (InputStream in = JsonResponseParserTests.class.getResourceAsStream("/http-config/" + name)) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
		}
	}

}
