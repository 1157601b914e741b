package dev.nacosboot.config;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import org.jspecify.annotations.Nullable;

/**
 * A JSON answer of the Nacos HTTP API read at startup (a config, a login, an error),
 * decoded with Jackson's streaming parser: jackson-core comes with nacos-client, and its
 * parser alone loads a few dozen classes where an {@code ObjectMapper} would load
 * hundreds on the path to ready. Keeps the scalar members of the answer and of its
 * {@code data} object, which is all the reader uses; nested arrays and other objects are
 * skipped. Strict: anything that is not one well-formed JSON object is refused.
 */
final class NacosApiResponse {

	private static final JsonFactory JSON = JsonFactory.builder().build();

	private final Map<String, @Nullable Object> members;

	private final @Nullable NacosApiResponse data;

	private NacosApiResponse(Map<String, @Nullable Object> members, @Nullable NacosApiResponse data) {
		this.members = members;
		this.data = data;
	}

	/**
	 * Decodes an answer.
	 * @param json the body
	 * @return the answer
	 * @throws IllegalArgumentException when the body is not one well-formed JSON object
	 */
	static NacosApiResponse parse(String json) {
		try (JsonParser parser = JSON.createParser(json)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw new IllegalArgumentException("Not a JSON object");
			}
			NacosApiResponse response = object(parser, true);
			if (parser.nextToken() != null) {
				throw new IllegalArgumentException("Malformed JSON: unexpected text after the object");
			}
			return response;
		}
		catch (JsonProcessingException ex) {
			// Malformed, or beyond the parser's limits (length, nesting).
			throw new IllegalArgumentException("Malformed JSON: " + ex.getOriginalMessage(), ex);
		}
		catch (IOException ex) {
			// Reading a String: not expected.
			throw new IllegalArgumentException("Malformed JSON: " + ex.getMessage(), ex);
		}
	}

	/** Reads the members of the object whose START_OBJECT was just read. */
	private static NacosApiResponse object(JsonParser parser, boolean root) throws IOException {
		Map<String, @Nullable Object> members = new HashMap<>();
		NacosApiResponse data = null;
		while (parser.nextToken() == JsonToken.FIELD_NAME) {
			String name = parser.currentName();
			JsonToken value = parser.nextToken();
			if (root && "data".equals(name) && value == JsonToken.START_OBJECT) {
				data = object(parser, false);
				members.put(name, data);
			}
			else if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
				// Not used, but read to its end, so that malformed JSON is refused there
				// too; kept as its token, which no accessor returns.
				parser.skipChildren();
				members.put(name, value);
			}
			else {
				members.put(name, scalar(parser, value));
			}
		}
		return new NacosApiResponse(members, data);
	}

	private static @Nullable Object scalar(JsonParser parser, JsonToken value) throws IOException {
		return switch (value) {
			case VALUE_STRING -> parser.getText();
			case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue();
			case VALUE_TRUE -> Boolean.TRUE;
			case VALUE_FALSE -> Boolean.FALSE;
			default -> null;
		};
	}

	/**
	 * Whether the answer has a member of this name, {@code null} included.
	 * @param name the member's name
	 * @return whether it has one
	 */
	boolean has(String name) {
		return this.members.containsKey(name);
	}

	/**
	 * A string member.
	 * @param name the member's name
	 * @return its text, or {@code null} when it is absent or not a string
	 */
	@Nullable String text(String name) {
		return (this.members.get(name) instanceof String text) ? text : null;
	}

	/**
	 * A numeric member.
	 * @param name the member's name
	 * @return its value, or {@code null} when it is absent or not a number
	 */
	@Nullable Number number(String name) {
		return (this.members.get(name) instanceof Number number) ? number : null;
	}

	/**
	 * A boolean member.
	 * @param name the member's name
	 * @return its value, or {@code null} when it is absent or not a boolean
	 */
	@Nullable Boolean bool(String name) {
		return (this.members.get(name) instanceof Boolean value) ? value : null;
	}

	/**
	 * The answer's {@code data} object.
	 * @return its scalar members, or {@code null} when it is absent, {@code null} or not
	 * an object
	 */
	@Nullable NacosApiResponse data() {
		return this.data;
	}

}
