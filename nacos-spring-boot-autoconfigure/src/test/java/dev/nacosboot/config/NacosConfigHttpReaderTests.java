package dev.nacosboot.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import com.alibaba.nacos.api.PropertyKeyConst;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.nacosboot.config.NacosConfigHttpReader.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP read against a stub server that answers as Nacos 3.0.3 and 2.x do (shapes
 * checked against real servers).
 */
class NacosConfigHttpReaderTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(3);

	private static final String CONTENT = "greeting=\"hi\"\nemoji=\uD83D\uDE00\n";

	private StubServer server;

	@BeforeEach
	void start() throws IOException {
		this.server = new StubServer();
	}

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void nacos3AnswerGivesTheContentItsMd5AndType() {
		this.server.answer("/nacos/v3/client/cs/config", (request) -> Reply.json(200, v3Found(CONTENT, "yaml", "")));

		Result result = reader(this.server.url()).read("app.yaml", "G", null);

		assertThat(result).isEqualTo(new Result.Found(CONTENT, NacosConfigDataLoader.md5(CONTENT), "yaml"));
		Request request = this.server.requests().get(0);
		assertThat(request.method()).isEqualTo("GET");
		assertThat(request.query()).isEqualTo("dataId=app.yaml&groupName=G&namespaceId=");
		assertThat(request.authorization()).isNull();
	}

	@Test
	void namespaceAndSpecialCharactersAreEncoded() {
		this.server.answer("/nacos/v3/client/cs/config", (request) -> Reply.json(200, v3Found(CONTENT, "text", "")));

		reader(this.server.url()).read("a b&c.properties", "G:1", "dev-ns");

		assertThat(this.server.requests().get(0).query())
			.isEqualTo("dataId=a+b%26c.properties&groupName=G%3A1&namespaceId=dev-ns");
	}

	@Test
	void nacos3NotFoundCodeMeansMissing() {
		this.server.answer("/nacos/v3/client/cs/config",
				(request) -> Reply.json(200, "{\"code\":20004,\"message\":\"resource not found\",\"data\":null}"));

		assertThat(reader(this.server.url()).read("absent.yaml", "G", null)).isEqualTo(new Result.NotFound());
	}

	@Test
	void serverWithoutTheNacos3ApiIsReadThroughV1AndRemembered() {
		this.server.answer("/nacos/v3/client/cs/config", (request) -> Reply.json(404, springError(404, "Not Found")));
		this.server.answer("/nacos/v1/cs/configs",
				(request) -> request.query().contains("dataId=absent")
						? new Reply(404, "text/plain;charset=UTF-8", "config data not exist\n", Map.of())
						: new Reply(200, "text/plain;charset=UTF-8", CONTENT, Map.of("Config-Type", "properties",
								"Content-MD5", NacosConfigDataLoader.md5(CONTENT), "Encrypted-Data-Key", "")));
		NacosConfigHttpReader reader = reader(this.server.url());

		assertThat(reader.read("app.properties", "G", "ns-1"))
			.isEqualTo(new Result.Found(CONTENT, NacosConfigDataLoader.md5(CONTENT), "properties"));
		assertThat(reader.read("absent.properties", "G", null)).isEqualTo(new Result.NotFound());
		assertThat(this.server.requests()).extracting(Request::path)
			.containsExactly("/nacos/v3/client/cs/config", "/nacos/v1/cs/configs", "/nacos/v1/cs/configs");
		assertThat(this.server.requests().get(1).query()).isEqualTo("dataId=app.properties&group=G&tenant=ns-1");
	}

	@Test
	void notFoundWithoutNacosMessageIsNotTakenForAMissingConfig() {
		this.server.answer("/nacos/v3/client/cs/config", (request) -> Reply.json(404, springError(404, "Not Found")));
		this.server.answer("/nacos/v1/cs/configs", (request) -> Reply.json(404, springError(404, "Not Found")));

		assertThat(reader(this.server.url()).read("app.properties", "G", null)).isInstanceOf(Result.Unsupported.class);
	}

	@Test
	void encryptedConfigIsLeftToTheClient() {
		this.server.answer("/nacos/v3/client/cs/config",
				(request) -> Reply.json(200, v3Found("c2VjcmV0", "text", "a2V5")));

		assertThat(reader(this.server.url()).read("cipher-aes-db.properties", "G", null))
			.isEqualTo(new Result.Unsupported("the config is encrypted"));
	}

	@Test
	void encryptedConfigOverV1IsLeftToTheClient() {
		this.server.answer("/nacos/v3/client/cs/config", (request) -> Reply.json(404, springError(404, "Not Found")));
		this.server.answer("/nacos/v1/cs/configs", (request) -> new Reply(200, "text/plain;charset=UTF-8", "c2VjcmV0",
				Map.of("Encrypted-Data-Key", "a2V5")));

		assertThat(reader(this.server.url()).read("db.properties", "G", null))
			.isEqualTo(new Result.Unsupported("the config is encrypted"));
	}

	@Test
	void contentThatDoesNotMatchTheServersMd5IsLeftToTheClient() {
		this.server.answer("/nacos/v3/client/cs/config", (request) -> Reply.json(200,
				v3Found(CONTENT, "text", "").replace(NacosConfigDataLoader.md5(CONTENT), "0123456789abcdef")));

		assertThat(reader(this.server.url()).read("app.properties", "G", null)).isInstanceOf(Result.Unsupported.class);
	}

	@Test
	void refusedReadCarriesTheServersMessage() {
		this.server.answer("/nacos/v3/client/cs/config", (request) -> Reply.json(403, springError(403,
				"Code: 401, Message: User not found! Please check user exist or password is right!.")));

		assertThat(reader(this.server.url()).read("app.properties", "G", null)).isEqualTo(new Result.Refused(403,
				"Code: 401, Message: User not found! Please check user exist or password is right!."));
	}

	@Test
	void unexpectedAnswersAreLeftToTheClient() {
		this.server.answer("/nacos/v3/client/cs/config", (request) -> switch (request.query().substring(7, 8)) {
			case "1" -> Reply.json(500, springError(500, "Internal Server Error"));
			case "2" -> Reply.json(200, "{\"code\":0,\"data\":{\"content\":");
			case "3" -> Reply.json(200, "{\"code\":30000,\"message\":\"server busy\",\"data\":null}");
			default -> new Reply(400, null,
					"Param 'dataId' is illegal, illegal characters should not appear in the param.\r\n", Map.of());
		});
		NacosConfigHttpReader reader = reader(this.server.url());

		for (String dataId : List.of("1", "2", "3", "4")) {
			assertThat(reader.read(dataId, "G", null)).isInstanceOf(Result.Unsupported.class);
		}
	}

	@Test
	void loginComesFirstAndItsTokenTravelsAsBearerOncePerServer() {
		this.server.answer("/nacos/v3/auth/user/login", (request) -> Reply.json(200,
				"{\"accessToken\":\"token-1\",\"tokenTtl\":18000,\"globalAdmin\":true,\"username\":\"nacos\"}"));
		this.server.answer("/nacos/v3/client/cs/config", (request) -> Reply.json(200, v3Found(CONTENT, "text", "")));
		NacosConfigHttpReader reader = new NacosConfigHttpReader(List.of(this.server.url()), "/nacos", "nacos",
				"p&ss word", TIMEOUT);

		reader.read("a.properties", "G", null);
		reader.read("b.properties", "G", null);

		assertThat(this.server.requests()).extracting(Request::path)
			.containsExactly("/nacos/v3/auth/user/login", "/nacos/v3/client/cs/config", "/nacos/v3/client/cs/config");
		Request login = this.server.requests().get(0);
		assertThat(login.method()).isEqualTo("POST");
		assertThat(login.query()).isEqualTo("username=nacos");
		assertThat(login.body()).isEqualTo("password=p%26ss+word");
		assertThat(this.server.requests().get(1).authorization()).isEqualTo("Bearer token-1");
		assertThat(this.server.requests().get(2).authorization()).isEqualTo("Bearer token-1");
	}

	@Test
	void nacos2LoginIsUsedWhenTheNacos3OneIsMissing() {
		this.server.answer("/nacos/v3/auth/user/login", (request) -> Reply.json(404, springError(404, "Not Found")));
		this.server.answer("/nacos/v1/auth/users/login",
				(request) -> Reply.json(200, "{\"accessToken\":\"token-2\",\"tokenTtl\":18000}"));
		this.server.answer("/nacos/v3/client/cs/config", (request) -> Reply.json(200, v3Found(CONTENT, "text", "")));

		new NacosConfigHttpReader(List.of(this.server.url()), "/nacos", "nacos", "secret", TIMEOUT).read("a", "G",
				null);

		assertThat(this.server.requests()).extracting(Request::path)
			.containsExactly("/nacos/v3/auth/user/login", "/nacos/v1/auth/users/login", "/nacos/v3/client/cs/config");
		assertThat(this.server.requests().get(2).authorization()).isEqualTo("Bearer token-2");
	}

	@Test
	void failedLoginMeansReadingWithoutAToken() {
		// What a server with auth off answers (and a wrong password on one with auth on).
		this.server.answer("/nacos/v3/auth/user/login",
				(request) -> Reply.json(500, springError(500, "No message available")));
		this.server.answer("/nacos/v3/client/cs/config", (request) -> Reply.json(200, v3Found(CONTENT, "text", "")));

		Result result = new NacosConfigHttpReader(List.of(this.server.url()), "/nacos", "nacos", "wrong", TIMEOUT)
			.read("a", "G", null);

		assertThat(result).isInstanceOf(Result.Found.class);
		assertThat(this.server.requests().get(1).authorization()).isNull();
	}

	@Test
	void serverThatRefusesConnectionsIsSkippedForTheNextOne() throws IOException {
		this.server.answer("/nacos/v3/client/cs/config", (request) -> Reply.json(200, v3Found(CONTENT, "text", "")));
		String closed = "http://127.0.0.1:" + closedPort();

		for (int i = 0; i < 5; i++) {
			// The first server tried is chosen at random: both orders are covered.
			assertThat(reader(closed, this.server.url()).read("a", "G", null)).isInstanceOf(Result.Found.class);
		}
	}

	@Test
	void serverThatAcceptsButNeverAnswersIsSkippedAfterTheTimeout() throws IOException {
		this.server.answer("/nacos/v3/client/cs/config", (request) -> Reply.json(200, v3Found(CONTENT, "text", "")));
		try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			List<Socket> accepted = new CopyOnWriteArrayList<>();
			Thread acceptor = new Thread(() -> {
				try {
					while (true) {
						accepted.add(silent.accept());
					}
				}
				catch (IOException ex) {
					// closed
				}
			});
			acceptor.setDaemon(true);
			acceptor.start();
			NacosConfigHttpReader reader = new NacosConfigHttpReader(
					List.of("http://127.0.0.1:" + silent.getLocalPort(), this.server.url()), "/nacos", null, null,
					Duration.ofMillis(300));

			assertThat(reader.read("a", "G", null)).isInstanceOf(Result.Found.class);
			for (Socket socket : accepted) {
				socket.close();
			}
		}
	}

	@Test
	void noServerAnsweringIsReportedWithEachServer() throws IOException {
		int first = closedPort();
		int second = closedPort();

		Result result = reader("http://127.0.0.1:" + first, "http://127.0.0.1:" + second).read("a", "G", null);

		assertThat(result).isInstanceOf(Result.Unanswered.class);
		assertThat(((Result.Unanswered) result).failures()).contains(":" + first + " (connection refused)")
			.contains(":" + second + " (connection refused)");
	}

	@Test
	void contextPathAndServersComeFromTheClientProperties() {
		this.server.answer("/config-center/v3/client/cs/config",
				(request) -> Reply.json(200, v3Found(CONTENT, "text", "")));
		Properties properties = new Properties();
		properties.setProperty(PropertyKeyConst.SERVER_ADDR, this.server.url().substring("http://".length()));
		properties.setProperty(PropertyKeyConst.CONTEXT_PATH, "config-center/");

		assertThat(NacosConfigHttpReader.of(properties, TIMEOUT).read("a", "G", null)).isInstanceOf(Result.Found.class);
	}

	@Test
	void serverListIsReadAsNacosClientReadsIt() {
		assertThat(NacosConfigHttpReader.serverUrls(
				" 10.0.0.1:8848, nacos.local ;https://secure.example:443/ ,HTTP://up.example:80,[::1]:9848,[::2]"))
			.containsExactly("http://10.0.0.1:8848", "http://nacos.local:8848", "https://secure.example:443",
					"HTTP://up.example:80", "http://[::1]:9848", "http://[::2]:8848");
	}

	@Test
	void contextPathIsNormalizedAsNacosClientDoes() {
		assertThat(NacosConfigHttpReader.contextPath(null)).isEqualTo("/nacos");
		assertThat(NacosConfigHttpReader.contextPath("nacos")).isEqualTo("/nacos");
		assertThat(NacosConfigHttpReader.contextPath("/api/nacos/")).isEqualTo("/api/nacos");
		assertThat(NacosConfigHttpReader.contextPath("/")).isEmpty();
	}

	private NacosConfigHttpReader reader(String... servers) {
		return new NacosConfigHttpReader(List.of(servers), "/nacos", null, null, TIMEOUT);
	}

	private static String v3Found(String content, String type, String encryptedDataKey) {
		return "{\"code\":0,\"message\":\"success\",\"data\":{\"resultCode\":200,\"errorCode\":0,\"message\":null,"
				+ "\"requestId\":null,\"content\":\"" + content.replace("\"", "\\\"").replace("\n", "\\n")
				+ "\",\"encryptedDataKey\":\"" + encryptedDataKey + "\",\"contentType\":\"" + type + "\",\"md5\":\""
				+ NacosConfigDataLoader.md5(content)
				+ "\",\"lastModified\":1796396141645,\"tag\":null,\"beta\":false,\"success\":true}}";
	}

	private static String springError(int status, String message) {
		return "{\"timestamp\":\"2026-12-04T17:00:00.000+00:00\",\"status\":" + status + ",\"error\":\"x\","
				+ "\"message\":\"" + message + "\",\"path\":\"/nacos/x\"}";
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	record Request(String method, String path, String query, String body, String authorization) {
	}

	record Reply(int status, String contentType, String body, Map<String, String> headers) {

		static Reply json(int status, String body) {
			return new Reply(status, "application/json", body, Map.of());
		}

	}

	/** Answers per path; records every request. */
	static final class StubServer implements AutoCloseable {

		private final HttpServer server;

		private final Map<String, Function<Request, Reply>> answers = new ConcurrentHashMap<>();

		private final List<Request> requests = new CopyOnWriteArrayList<>();

		StubServer() throws IOException {
			this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
			this.server.createContext("/", this::handle);
			this.server.start();
		}

		String url() {
			return "http://127.0.0.1:" + this.server.getAddress().getPort();
		}

		void answer(String path, Function<Request, Reply> answer) {
			this.answers.put(path, answer);
		}

		List<Request> requests() {
			return new ArrayList<>(this.requests);
		}

		private void handle(HttpExchange exchange) throws IOException {
			try (exchange; InputStream in = exchange.getRequestBody()) {
				Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
						exchange.getRequestURI().getRawQuery(), new String(in.readAllBytes(), StandardCharsets.UTF_8),
						exchange.getRequestHeaders().getFirst("Authorization"));
				this.requests.add(request);
				Function<Request, Reply> answer = this.answers.get(request.path());
				Reply reply = (answer != null) ? answer.apply(request) : Reply.json(404, springError(404, "Not Found"));
				reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
				if (reply.contentType() != null) {
					exchange.getResponseHeaders().set("Content-Type", reply.contentType());
				}
				byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
				exchange.sendResponseHeaders(reply.status(), (body.length == 0) ? -1 : body.length);
				if (body.length > 0) {
					try (OutputStream out = exchange.getResponseBody()) {
						out.write(body);
					}
				}
			}
		}

		@Override
		public void close() {
			this.server.stop(0);
		}

	}

}
