package dev.nacosboot.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class NacosApiResponseTests {

	@Test
	void realServersConfigAnswerDecodesToTheExactContentItsMd5Describes() throws IOException {
		// Nacos 3.0.3's answer for content with quotes, backslashes, a tab, a control
		// character, non-ASCII text, an emoji (escaped as a surrogate pair) and U+2028/9
		// (sent raw).
		NacosApiResponse answer = NacosApiResponse.parse(resource("nacos-3.0.3-v3-config.json"));

		assertThat(answer.number("code")).isEqualTo(0);
		assertThat(answer.text("message")).isEqualTo("success");
		NacosApiResponse data = answer.data();
		assertThat(data).isNotNull();
		String content = data.text("content");
		assertThat(content).isEqualTo("a=1\nquote=\"x\"\nback=C:\\\\path\\\\n\ntab=\tend\nslash=</script>\nzh=中文\n"
				+ "emoji=\uD83D\uDE00\nctl=\u0001\u001f\nuni=\u2028\u2029\n");
		assertThat(content.codePoints()).contains(0x1F600);
		assertThat(NacosConfigDataLoader.md5(content)).isEqualTo(data.text("md5"));
		assertThat(data.text("contentType")).isEqualTo("properties");
		assertThat(data.text("encryptedDataKey")).isEmpty();
		assertThat(data.has("tag")).isTrue();
		assertThat(data.text("tag")).isNull();
		assertThat(data.bool("beta")).isFalse();
		assertThat(data.number("lastModified")).isEqualTo(1796405020282L);
	}

	@Test
	void realServersNotFoundAnswerHasItsCodeAndNoData() throws IOException {
		NacosApiResponse answer = NacosApiResponse.parse(resource("nacos-3.0.3-v3-not-found.json"));

		assertThat(answer.number("code")).isEqualTo(20004);
		assertThat(answer.text("message")).isEqualTo("resource not found");
		assertThat(answer.has("data")).isTrue();
		assertThat(answer.data()).isNull();
	}

	@Test
	void loginAnswerGivesItsToken() {
		NacosApiResponse answer = NacosApiResponse
			.parse("{\"accessToken\":\"eyJ.a.b\",\"tokenTtl\":18000,\"globalAdmin\":false,\"username\":\"u\"}");

		assertThat(answer.text("accessToken")).isEqualTo("eyJ.a.b");
		assertThat(answer.number("tokenTtl")).isEqualTo(18000);
	}

	@Test
	void everyEscapeIsDecoded() {
		NacosApiResponse answer = NacosApiResponse
			.parse("{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\uD83D\\uDE00\\u0000\"}");

		assertThat(answer.text("s")).isEqualTo("\"\\/\b\f\n\r\tAé\uD83D\uDE00\u0000");
	}

	@Test
	void nestedValuesOtherThanDataAreSkippedAndNotReturned() {
		NacosApiResponse answer = NacosApiResponse
			.parse("{\"list\":[1,[\"x\"],{}],\"other\":{\"content\":\"no\"},\"data\":{\"content\":\"yes\","
					+ "\"nested\":{\"content\":\"no\"}},\"after\":\"kept\"}");

		assertThat(answer.has("list")).isTrue();
		assertThat(answer.text("list")).isNull();
		assertThat(answer.text("other")).isNull();
		assertThat(answer.data().text("content")).isEqualTo("yes");
		assertThat(answer.data().text("nested")).isNull();
		assertThat(answer.data().data()).isNull();
		assertThat(answer.text("after")).isEqualTo("kept");
	}

	@Test
	void dataThatIsNotAnObjectIsNoData() {
		assertThat(NacosApiResponse.parse("{\"data\":\"text\"}").data()).isNull();
		assertThat(NacosApiResponse.parse("{\"data\":[{\"content\":\"x\"}]}").data()).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "{", "{\"a\":1,}", "{\"a\":[1,]}", "{\"a\" 1}", "{a:1}", "{\"a\":\"unterminated}",
			"{\"a\":\"bad \\x\"}", "{\"a\":\"short \\u12\"}", "{\"a\":\"bad \\u12G4\"}", "{\"a\":\"raw \n newline\"}",
			"{\"a\":01}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":tru}", "{\"a\":nul}", "{} {}", "{} x", "{'a':1}", "[1]",
			"\"text\"", "{\"a\":{\"b\":[}}" })
	void malformedJsonOrAnythingButAnObjectIsRefused(String json) {
		assertThatIllegalArgumentException().isThrownBy(() -> NacosApiResponse.parse(json));
	}

	@Test
	void deepNestingIsRefused() {
		String deep = "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";

		assertThatIllegalArgumentException().isThrownBy(() -> NacosApiResponse.parse(deep))
			.withMessageStartingWith("Malformed JSON");
	}

	private static String resource(String name) throws IOException {
		try (InputStream in = NacosApiResponseTests.class.getResourceAsStream("/http-config/" + name)) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
		}
	}

}
