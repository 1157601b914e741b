package dev.nacosboot.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import com.alibaba.nacos.api.PropertyKeyConst;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * Reads Nacos configs over the server's HTTP client API, so that startup needs no gRPC
 * client: Nacos 3's {@code GET {context-path}/v3/client/cs/config}, and on a server
 * without it (Nacos 2.x answers 404) the v1 {@code GET {context-path}/v1/cs/configs}.
 * With a username it logs in first ({@code /v3/auth/user/login}, or
 * {@code /v1/auth/users/login} on 404/501) and sends the token; a failed login means no
 * token, as for nacos-client, so only a refused read is an auth error. A server that does
 * not answer (refused connection, time-out) makes it try the next one of the list.
 * <p>
 * Anything it does not understand is reported as {@link Result.Unsupported}, never
 * guessed, so that the caller can let nacos-client read instead. Uses
 * {@link HttpURLConnection}, which needs no thread of its own (the JDK's
 * {@code HttpClient} starts a selector thread per client), and Jackson's streaming parser
 * for the JSON answers ({@link NacosApiResponse}). {@link #read} is synchronized.
 */
final class NacosConfigHttpReader {

	/** Context path of the HTTP API when none is configured, as for nacos-client. */
	static final String DEFAULT_CONTEXT_PATH = "nacos";

	private static final String DEFAULT_PORT = "8848";

	private static final String V3_CONFIG = "/v3/client/cs/config";

	private static final String V1_CONFIG = "/v1/cs/configs";

	private static final String V3_LOGIN = "/v3/auth/user/login";

	private static final String V1_LOGIN = "/v1/auth/users/login";

	/** The v3 API's answer for a data id (or namespace) that does not exist. */
	private static final long V3_NOT_FOUND = 20004;

	private static final int MAX_MESSAGE_LENGTH = 300;

	private final List<String> servers;

	private final String contextPath;

	private final @Nullable String username;

	private final @Nullable String password;

	private final int timeoutMillis;

	/** Tokens per server; empty when the login failed (then reads go without one). */
	private final Map<String, Optional<String>> tokens = new HashMap<>();

	/** Servers that answered 404 to the v3 API (Nacos 2.x). */
	private final Set<String> withoutV3 = new HashSet<>();

	/** The server tried first: the one that answered last. */
	private int current;

	/**
	 * Creates a reader.
	 * @param servers base URLs of the servers ({@code http://host:port})
	 * @param contextPath context path of the HTTP API, {@code ""} or starting with
	 * {@code /}
	 * @param username user to log in as, or {@code null}
	 * @param password the user's password, or {@code null}
	 * @param timeout bounds the connect and the read of each request
	 */
	NacosConfigHttpReader(List<String> servers, String contextPath, @Nullable String username,
			@Nullable String password, Duration timeout) {
		if (servers.isEmpty()) {
			throw new IllegalArgumentException("No server to read from");
		}
		this.servers = List.copyOf(servers);
		this.contextPath = contextPath;
		this.username = StringUtils.hasText(username) ? username : null;
		this.password = password;
		this.timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
		// Start anywhere, as nacos-client does, so that a fleet's restart spreads over a
		// cluster.
		this.current = ThreadLocalRandom.current().nextInt(this.servers.size());
	}

	/**
	 * A reader for the servers, context path and credentials of a config client's
	 * properties.
	 * @param clientProperties the properties the config client would be created with
	 * @param timeout bounds the connect and the read of each request
	 * @return the reader
	 */
	static NacosConfigHttpReader of(Properties clientProperties, Duration timeout) {
		return new NacosConfigHttpReader(serverUrls(clientProperties.getProperty(PropertyKeyConst.SERVER_ADDR, "")),
				contextPath(clientProperties.getProperty(PropertyKeyConst.CONTEXT_PATH)),
				clientProperties.getProperty(PropertyKeyConst.USERNAME),
				clientProperties.getProperty(PropertyKeyConst.PASSWORD), timeout);
	}

	/**
	 * Base URLs of a server list as nacos-client reads it: entries separated by {@code ,}
	 * or {@code ;}, {@code http://} and {@code https://} kept, other entries plain HTTP
	 * with the default port when none is given.
	 * @param serverAddr the server list
	 * @return the base URLs, in order
	 */
	static List<String> serverUrls(String serverAddr) {
		List<String> urls = new ArrayList<>();
		for (String entry : serverAddr.split("[,;]")) {
			String server = entry.trim();
			if (server.isEmpty()) {
				continue;
			}
			String lower = server.toLowerCase(Locale.ROOT);
			if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
				boolean hasPort = server.startsWith("[") ? server.contains("]:") : server.contains(":");
				server = "http://" + server + (hasPort ? "" : ":" + defaultPort());
			}
			while (server.endsWith("/")) {
				server = server.substring(0, server.length() - 1);
			}
			urls.add(server);
		}
		return urls;
	}

	/**
	 * The context path as nacos-client uses it: {@code ""} for the root, else with a
	 * leading {@code /}.
	 * @param configured the configured context path, or {@code null}
	 * @return the normalized context path
	 */
	static String contextPath(@Nullable String configured) {
		String path = StringUtils.hasText(configured) ? configured.trim() : defaultContextPath();
		while (path.endsWith("/")) {
			path = path.substring(0, path.length() - 1);
		}
		if (path.isEmpty()) {
			return "";
		}
		return path.startsWith("/") ? path : "/" + path;
	}

	private static String defaultContextPath() {
		String configured = ClientEnvironment.value("nacos.client.contextPath");
		return (configured != null) ? configured : DEFAULT_CONTEXT_PATH;
	}

	private static String defaultPort() {
		String configured = ClientEnvironment.value("nacos.server.port");
		return (configured != null) ? configured.trim() : DEFAULT_PORT;
	}

	/**
	 * Reads one config from the first server that answers.
	 * @param dataId the data id
	 * @param group the group
	 * @param namespace the namespace id, {@code null} for the public namespace
	 * @return what the server answered, or {@link Result.Unanswered} when none did
	 */
	synchronized Result read(String dataId, String group, @Nullable String namespace) {
		List<String> failures = new ArrayList<>();
		for (int i = 0; i < this.servers.size(); i++) {
			int index = (this.current + i) % this.servers.size();
			String server = this.servers.get(index);
			try {
				Result result = readFrom(server, dataId, group, (namespace != null) ? namespace : "");
				this.current = index;
				return result;
			}
			catch (IOException ex) {
				failures.add(server + " (" + describe(ex) + ")");
			}
			catch (IllegalArgumentException ex) {
				return new Result.Unsupported("'" + server + "' is not a URL nacos-client's HTTP calls would use");
			}
		}
		return new Result.Unanswered(String.join(", ", failures));
	}

	private Result readFrom(String server, String dataId, String group, String namespace) throws IOException {
		String token = token(server);
		if (!this.withoutV3.contains(server)) {
			Response response = exchange(server + this.contextPath + V3_CONFIG + "?dataId=" + encode(dataId)
					+ "&groupName=" + encode(group) + "&namespaceId=" + encode(namespace), token, null);
			if (response.status() != 404) {
				return v3Result(response);
			}
			this.withoutV3.add(server);
		}
		Response response = exchange(server + this.contextPath + V1_CONFIG + "?dataId=" + encode(dataId) + "&group="
				+ encode(group) + "&tenant=" + encode(namespace), token, null);
		return v1Result(response);
	}

	private static Result v3Result(Response response) {
		if (response.status() == 401 || response.status() == 403) {
			return new Result.Refused(response.status(), message(response.body()));
		}
		if (response.status() != 200) {
			return new Result.Unsupported(
					"the v3 API answered HTTP " + response.status() + ": " + message(response.body()));
		}
		NacosApiResponse body;
		try {
			body = NacosApiResponse.parse(response.body());
		}
		catch (IllegalArgumentException ex) {
			return new Result.Unsupported("the v3 API answered with malformed JSON (" + ex.getMessage() + ")");
		}
		Number code = body.number("code");
		if (code == null) {
			return new Result.Unsupported("the v3 API answered without a code");
		}
		if (code.longValue() == V3_NOT_FOUND) {
			return new Result.NotFound();
		}
		NacosApiResponse data = body.data();
		if (code.longValue() != 0 || data == null) {
			return new Result.Unsupported("the v3 API answered code " + code + ": " + body.text("message"));
		}
		String content = data.text("content");
		if (content == null) {
			return new Result.NotFound();
		}
		String encryptedDataKey = data.text("encryptedDataKey");
		if (encryptedDataKey != null && !encryptedDataKey.isEmpty()) {
			return new Result.Unsupported("the config is encrypted");
		}
		return found(content, data.text("md5"), data.text("contentType"));
	}

	private static Result v1Result(Response response) {
		int status = response.status();
		if (status == 200) {
			if (StringUtils.hasLength(response.encryptedDataKey())) {
				return new Result.Unsupported("the config is encrypted");
			}
			return found(response.body(), response.md5(), response.configType());
		}
		if (status == 404 && response.body().strip().startsWith("config data not exist")) {
			return new Result.NotFound();
		}
		if (status == 401 || status == 403) {
			return new Result.Refused(status, message(response.body()));
		}
		return new Result.Unsupported("the v1 API answered HTTP " + status + ": " + message(response.body()));
	}

	private static Result found(String content, @Nullable String md5, @Nullable String type) {
		String actual = NacosConfigDataLoader.md5(content);
		if (StringUtils.hasText(md5) && !md5.equalsIgnoreCase(actual)) {
			// Decoded differently from what the server stored: let the client read it.
			return new Result.Unsupported("the content read does not match the server's md5");
		}
		return new Result.Found(content, actual, StringUtils.hasText(type) ? type : null);
	}

	private @Nullable String token(String server) throws IOException {
		if (this.username == null) {
			return null;
		}
		Optional<String> known = this.tokens.get(server);
		if (known != null) {
			return known.orElse(null);
		}
		String query = "?username=" + encode(this.username);
		String form = "password=" + encode((this.password != null) ? this.password : "");
		Response response = exchange(server + this.contextPath + V3_LOGIN + query, null, form);
		if (response.status() == 404 || response.status() == 501) {
			response = exchange(server + this.contextPath + V1_LOGIN + query, null, form);
		}
		String token = null;
		if (response.status() == 200) {
			try {
				token = NacosApiResponse.parse(response.body()).text("accessToken");
			}
			catch (IllegalArgumentException ex) {
				// No token: the read then tells whether one was needed.
			}
		}
		this.tokens.put(server, Optional.ofNullable(StringUtils.hasText(token) ? token : null));
		return token;
	}

	private Response exchange(String url, @Nullable String token, @Nullable String form) throws IOException {
		HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
		connection.setConnectTimeout(this.timeoutMillis);
		connection.setReadTimeout(this.timeoutMillis);
		connection.setUseCaches(false);
		connection.setInstanceFollowRedirects(false);
		if (token != null) {
			connection.setRequestProperty("Authorization", "Bearer " + token);
		}
		if (form != null) {
			byte[] body = form.getBytes(StandardCharsets.UTF_8);
			connection.setRequestMethod("POST");
			connection.setDoOutput(true);
			connection.setRequestProperty("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8");
			connection.setFixedLengthStreamingMode(body.length);
			try (OutputStream out = connection.getOutputStream()) {
				out.write(body);
			}
		}
		int status = connection.getResponseCode();
		byte[] bytes;
		try (InputStream in = (status >= 400) ? connection.getErrorStream() : connection.getInputStream()) {
			bytes = (in != null) ? in.readAllBytes() : new byte[0];
		}
		return new Response(status, new String(bytes, charset(connection.getContentType())),
				connection.getHeaderField("Config-Type"), connection.getHeaderField("Content-MD5"),
				connection.getHeaderField("Encrypted-Data-Key"));
	}

	private static Charset charset(@Nullable String contentType) {
		if (contentType != null) {
			for (String parameter : contentType.split(";")) {
				String trimmed = parameter.trim();
				if (trimmed.regionMatches(true, 0, "charset=", 0, 8)) {
					try {
						return Charset.forName(trimmed.substring(8).replace("\"", "").trim());
					}
					catch (RuntimeException ex) {
						break;
					}
				}
			}
		}
		return StandardCharsets.UTF_8;
	}

	/** The message of an error answer: a JSON body's "message", else its text. */
	private static String message(String body) {
		String message = body.strip();
		try {
			String text = NacosApiResponse.parse(message).text("message");
			if (text != null) {
				message = text.strip();
			}
		}
		catch (IllegalArgumentException ex) {
			// Plain text.
		}
		return (message.length() > MAX_MESSAGE_LENGTH) ? message.substring(0, MAX_MESSAGE_LENGTH) + "..." : message;
	}

	private static String describe(IOException ex) {
		if (ex instanceof ConnectException) {
			return "connection refused";
		}
		if (ex instanceof SocketTimeoutException) {
			return "timed out";
		}
		if (ex instanceof UnknownHostException) {
			return "unknown host";
		}
		return ex.getClass().getSimpleName() + ((ex.getMessage() != null) ? ": " + ex.getMessage() : "");
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private record Response(int status, String body, @Nullable String configType, @Nullable String md5,
			@Nullable String encryptedDataKey) {
	}

	/**
	 * What a read over HTTP gave.
	 */
	sealed interface Result {

		/**
		 * The config.
		 *
		 * @param content its content
		 * @param md5 md5 of the content
		 * @param type the type stored with it, if any
		 */
		record Found(String content, String md5, @Nullable String type) implements Result {
		}

		/** No such config. */
		record NotFound() implements Result {
		}

		/**
		 * The server refused the read: no or bad credentials, or no right on the
		 * namespace.
		 *
		 * @param status the HTTP status
		 * @param message the server's message
		 */
		record Refused(int status, String message) implements Result {
		}

		/**
		 * A server answered with something this reader does not handle (an encrypted
		 * config, an unexpected status or body): nacos-client must read it.
		 *
		 * @param reason what was answered
		 */
		record Unsupported(String reason) implements Result {
		}

		/**
		 * No server answered.
		 *
		 * @param failures each server and why
		 */
		record Unanswered(String failures) implements Result {
		}

	}

}
