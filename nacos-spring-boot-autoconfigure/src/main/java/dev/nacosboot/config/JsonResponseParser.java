package dev.nacosboot.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Parses the small JSON answers of the Nacos HTTP API read at startup (a config, a login)
 * into maps, lists, strings, numbers, booleans and {@code null}. Strict (RFC 8259):
 * anything malformed is refused rather than guessed. Strings are decoded completely,
 * every escape included ({@code \uD83D\uDE00} becomes one code point), because config
 * content travels in them. A JSON library would do the same but costs a cold JVM several
 * hundred milliseconds of class loading on the path to ready.
 */
final class JsonResponseParser {

	private static final int MAX_DEPTH = 64;

	private final String json;

	private int position;

	private JsonResponseParser(String json) {
		this.json = json;
	}

	/**
	 * Parses one JSON value.
	 * @param json the text
	 * @return a {@code Map<String, Object>}, {@code List<Object>}, {@code String},
	 * {@code Long}, {@code Double}, {@code Boolean}, or {@code null}
	 * @throws IllegalArgumentException when the text is not one well-formed JSON value
	 */
	static @Nullable Object parse(String json) {
		JsonResponseParser parser = new JsonResponseParser(json);
		parser.skipWhitespace();
		Object value = parser.value(0);
		parser.skipWhitespace();
		if (parser.position != json.length()) {
			throw parser.error("unexpected text after the value");
		}
		return value;
	}

	/**
	 * Parses a JSON object.
	 * @param json the text
	 * @return the object's members, in order
	 * @throws IllegalArgumentException when the text is not one JSON object
	 */
	@SuppressWarnings("unchecked")
	static Map<String, @Nullable Object> parseObject(String json) {
		Object value = parse(json);
		if (!(value instanceof Map)) {
			throw new IllegalArgumentException("not a JSON object");
		}
		return (Map<String, @Nullable Object>) value;
	}

	private @Nullable Object value(int depth) {
		if (depth > MAX_DEPTH) {
			throw error("nested deeper than " + MAX_DEPTH);
		}
		char next = peek();
		switch (next) {
			case '{':
				return object(depth);
			case '[':
				return array(depth);
			case '"':
				return string();
			case 't':
				literal("true");
				return Boolean.TRUE;
			case 'f':
				literal("false");
				return Boolean.FALSE;
			case 'n':
				literal("null");
				return null;
			default:
				if (next == '-' || (next >= '0' && next <= '9')) {
					return number();
				}
				throw error("unexpected character '" + next + "'");
		}
	}

	private Map<String, @Nullable Object> object(int depth) {
		Map<String, @Nullable Object> members = new LinkedHashMap<>();
		this.position++;
		skipWhitespace();
		if (peek() == '}') {
			this.position++;
			return members;
		}
		while (true) {
			skipWhitespace();
			if (peek() != '"') {
				throw error("expected a member name");
			}
			String name = string();
			skipWhitespace();
			expect(':');
			skipWhitespace();
			members.put(name, value(depth + 1));
			skipWhitespace();
			char next = next();
			if (next == '}') {
				return members;
			}
			if (next != ',') {
				throw error("expected ',' or '}'");
			}
		}
	}

	private List<@Nullable Object> array(int depth) {
		List<@Nullable Object> elements = new ArrayList<>();
		this.position++;
		skipWhitespace();
		if (peek() == ']') {
			this.position++;
			return elements;
		}
		while (true) {
			skipWhitespace();
			elements.add(value(depth + 1));
			skipWhitespace();
			char next = next();
			if (next == ']') {
				return elements;
			}
			if (next != ',') {
				throw error("expected ',' or ']'");
			}
		}
	}

	private String string() {
		expect('"');
		StringBuilder text = new StringBuilder();
		while (true) {
			char next = next();
			if (next == '"') {
				return text.toString();
			}
			if (next == '\\') {
				text.append(escape());
			}
			else if (next < 0x20) {
				throw error("unescaped control character in a string");
			}
			else {
				text.append(next);
			}
		}
	}

	private char escape() {
		char next = next();
		return switch (next) {
			case '"' -> '"';
			case '\\' -> '\\';
			case '/' -> '/';
			case 'b' -> '\b';
			case 'f' -> '\f';
			case 'n' -> '\n';
			case 'r' -> '\r';
			case 't' -> '\t';
			// A surrogate pair arrives as two escapes; appended one after the other they
			// form the code point.
			case 'u' -> unicodeEscape();
			default -> throw error("invalid escape '\\" + next + "'");
		};
	}

	private char unicodeEscape() {
		if (this.position + 4 > this.json.length()) {
			throw error("truncated \\u escape");
		}
		int value = 0;
		for (int i = 0; i < 4; i++) {
			int digit = hexDigit(this.json.charAt(this.position++));
			if (digit < 0) {
				throw error("invalid \\u escape");
			}
			value = (value << 4) | digit;
		}
		return (char) value;
	}

	private static int hexDigit(char c) {
		if (c >= '0' && c <= '9') {
			return c - '0';
		}
		if (c >= 'a' && c <= 'f') {
			return c - 'a' + 10;
		}
		return (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
	}

	private Object number() {
		int start = this.position;
		boolean integral = true;
		if (peekOrEnd() == '-') {
			this.position++;
		}
		if (peekOrEnd() == '0') {
			this.position++;
		}
		else if (!digits()) {
			throw error("invalid number");
		}
		if (peekOrEnd() == '.') {
			integral = false;
			this.position++;
			if (!digits()) {
				throw error("invalid number");
			}
		}
		if (peekOrEnd() == 'e' || peekOrEnd() == 'E') {
			integral = false;
			this.position++;
			if (peekOrEnd() == '+' || peekOrEnd() == '-') {
				this.position++;
			}
			if (!digits()) {
				throw error("invalid number");
			}
		}
		String literal = this.json.substring(start, this.position);
		if (integral) {
			try {
				return Long.parseLong(literal);
			}
			catch (NumberFormatException ex) {
				// Beyond a long: keep its magnitude.
			}
		}
		return Double.parseDouble(literal);
	}

	private boolean digits() {
		int start = this.position;
		while (this.position < this.json.length() && this.json.charAt(this.position) >= '0'
				&& this.json.charAt(this.position) <= '9') {
			this.position++;
		}
		return this.position > start;
	}

	private void literal(String literal) {
		if (!this.json.startsWith(literal, this.position)) {
			throw error("invalid literal");
		}
		this.position += literal.length();
	}

	private void expect(char expected) {
		if (next() != expected) {
			throw error("expected '" + expected + "'");
		}
	}

	private char peek() {
		if (this.position >= this.json.length()) {
			throw error("unexpected end");
		}
		return this.json.charAt(this.position);
	}

	private char peekOrEnd() {
		return (this.position < this.json.length()) ? this.json.charAt(this.position) : '\0';
	}

	private char next() {
		char next = peek();
		this.position++;
		return next;
	}

	private void skipWhitespace() {
		while (this.position < this.json.length()) {
			char next = this.json.charAt(this.position);
			if (next != ' ' && next != '\t' && next != '\n' && next != '\r') {
				return;
			}
			this.position++;
		}
	}

	private IllegalArgumentException error(String problem) {
		return new IllegalArgumentException("Malformed JSON at offset " + this.position + ": " + problem);
	}

}
