package dev.nacosboot.testserver;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

import com.alibaba.nacos.api.naming.pojo.Instance;
import com.alibaba.nacos.api.naming.pojo.ServiceInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The HTTP side on the main port: login, the health probes, and the open-API subset a
 * person uses with curl ({@code /nacos/v1/ns/instance[/list]},
 * {@code /nacos/v1/cs/configs} and the Nacos 3 client API under
 * {@code /nacos/v3/client}). Status codes and messages follow what a Nacos 3.0 server
 * answers.
 */
final class HttpEndpoint {

	private static final ObjectMapper json = new ObjectMapper();

	private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

	private final AuthRegistry auth;

	private final NamingStore naming;

	private final ConfigStore configs;

	private final Map<String, LongAdder> requests;

	private HttpServer server;

	private ExecutorService executor;

	HttpEndpoint(AuthRegistry auth, NamingStore naming, ConfigStore configs, Map<String, LongAdder> requests) {
		this.auth = auth;
		this.naming = naming;
		this.configs = configs;
		this.requests = requests;
	}

	void start(String host, int port) throws IOException {
		this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
		this.executor = Executors.newFixedThreadPool(4, GrpcEndpoint.daemonThreads("nacos-test-server-http-"));
		this.server.setExecutor(this.executor);
		this.server.createContext("/", this::handle);
		this.server.start();
	}

	void stop() {
		if (this.server != null) {
			this.server.stop(0);
			this.executor.shutdownNow();
			this.server = null;
		}
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			this.requests.computeIfAbsent(exchange.getRequestURI().getPath(), (path) -> new LongAdder()).increment();
			Reply reply;
			try {
				reply = route(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), Params.of(exchange));
			}
			catch (BadRequest ex) {
				reply = ex.reply;
			}
			catch (RuntimeException ex) {
				reply = Reply.text(500, "caused: " + ex.getMessage() + ";");
			}
			reply.headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
			if (reply.contentType != null) {
				exchange.getResponseHeaders().set("Content-Type", reply.contentType);
			}
			byte[] body = reply.body.getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(reply.status, (body.length == 0) ? -1 : body.length);
			if (body.length > 0) {
				try (OutputStream out = exchange.getResponseBody()) {
					out.write(body);
				}
			}
		}
	}

	private Reply route(String method, String path, Params params) throws BadRequest {
		String key = method + " " + path;
		switch (key) {
			case "GET /nacos/v3/admin/core/state/liveness", "GET /nacos/v3/admin/core/state/readiness":
				return Reply.json(200, Map.of("code", 0, "message", "success", "data", "ok"));
			case "POST /nacos/v3/auth/user/login":
				return loginV3(params, path);
			case "POST /nacos/v1/auth/users/login", "POST /nacos/v1/auth/login":
				return loginV1(params, path);
			default:
				break;
		}
		if (path.startsWith("/nacos/v2/")) {
			return Reply
				.json(410, springError(410, "Gone", "{\"code\":40000,\"message\":\"Current API will be deprecated, "
						+ "If wanted continue to use, please set `nacos.core.api.compatibility.admin.enabled=true` in "
						+ "application.properties.\"}", path));
		}
		if (!isKnownPath(path)) {
			return path.startsWith("/nacos/v1/")
					? Reply.json(501, springError(501, "Not Implemented", "no such api:" + method + ":" + path, path))
					: Reply.json(404, springError(404, "Not Found", "No endpoint " + method + " " + path + ".", path));
		}
		String refusal = this.auth.refusal(params.accessToken(), params.get("username"), params.get("password"));
		if (refusal != null) {
			return Reply.json(403, springError(403, "Forbidden", refusal, path));
		}
		return switch (key) {
			case "POST /nacos/v1/ns/instance" -> v1Register(params);
			case "DELETE /nacos/v1/ns/instance" -> v1Deregister(params);
			case "GET /nacos/v1/ns/instance/list" -> v1List(params);
			case "GET /nacos/v1/cs/configs" -> v1GetConfig(params, path);
			case "POST /nacos/v1/cs/configs" -> v1PublishConfig(params, path);
			case "DELETE /nacos/v1/cs/configs" -> v1RemoveConfig(params, path);
			case "POST /nacos/v3/client/ns/instance" -> v3(() -> v1Register(params));
			case "DELETE /nacos/v3/client/ns/instance" -> v3(() -> v1Deregister(params));
			case "GET /nacos/v3/client/ns/instance/list" -> v3List(params);
			case "GET /nacos/v3/client/cs/config" -> v3GetConfig(params);
			default -> Reply.json(405,
					springError(405, "Method Not Allowed", "Method '" + method + "' is not supported.", path));
		};
	}

	private static boolean isKnownPath(String path) {
		return List
			.of("/nacos/v1/ns/instance", "/nacos/v1/ns/instance/list", "/nacos/v1/cs/configs",
					"/nacos/v3/client/ns/instance", "/nacos/v3/client/ns/instance/list", "/nacos/v3/client/cs/config")
			.contains(path);
	}

	/**
	 * Nacos 3's login: unknown users are denied by Spring Security, wrong passwords fail
	 * unhandled.
	 */
	private Reply loginV3(Params params, String path) {
		String username = params.get("username");
		if (username != null && !username.isEmpty() && !this.auth.knowsUser(username)) {
			return Reply.json(403, springError(403, "Forbidden", "Access Denied", path));
		}
		AuthRegistry.IssuedToken token = this.auth.login(username, params.get("password"));
		return (token != null) ? loggedIn(token)
				: Reply.json(500, springError(500, "Internal Server Error", "No message available", path));
	}

	/** The v1 login paths, through the server's API compatibility layer. */
	private Reply loginV1(Params params, String path) throws BadRequest {
		params.springRequired("username", path);
		params.springRequired("password", path);
		AuthRegistry.IssuedToken token = this.auth.login(params.get("username"), params.get("password"));
		return (token != null) ? loggedIn(token) : Reply.json(500, springError(500, "Internal Server Error",
				"Handle API Compatibility failed, please see log for detail.", path));
	}

	private static Reply loggedIn(AuthRegistry.IssuedToken token) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("accessToken", token.value());
		body.put("tokenTtl", token.ttl().toSeconds());
		body.put("globalAdmin", true);
		body.put("username", token.username());
		Reply reply = Reply.json(200, body);
		reply.headers.put("Authorization", "Bearer " + token.value());
		return reply;
	}

	// ---- naming

	private Reply v1Register(Params params) throws BadRequest {
		ServiceKey service = service(params);
		Instance instance = instance(params);
		if (instance.getWeight() < 0 || instance.getWeight() > 10000) {
			BadRequest weight = new BadRequest(
					Reply.text(400, "instance format invalid: The weights range from 0.0 to 10000.0"));
			weight.v3Code = 21001;
			weight.v3Message = "weight error";
			throw weight;
		}
		try {
			NamingRequests.checked(instance);
		}
		catch (com.alibaba.nacos.api.exception.NacosException ex) {
			throw new BadRequest(Reply.text(400, ex.getErrMsg()));
		}
		this.naming.registerDetached(service, instance);
		return Reply.text(200, "ok");
	}

	private Reply v1Deregister(Params params) throws BadRequest {
		ServiceKey service = service(params);
		this.naming.deregisterDetached(service, instance(params));
		return Reply.text(200, "ok");
	}

	private Reply v1List(Params params) throws BadRequest {
		ServiceKey service = service(params);
		ServiceInfo info = this.naming.query(service, params.get("clusters"),
				Boolean.parseBoolean(params.get("healthyOnly")));
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", service.groupedName());
		body.put("groupName", service.group());
		body.put("clusters", (params.get("clusters") != null) ? params.get("clusters") : "");
		body.put("cacheMillis", 10_000);
		body.put("hosts", info.getHosts().stream().map(HttpEndpoint::hostJson).toList());
		body.put("lastRefTime", System.currentTimeMillis());
		body.put("checksum", "");
		body.put("allIps", false);
		body.put("reachProtectionThreshold", false);
		body.put("valid", true);
		return Reply.json(200, body);
	}

	private Reply v3List(Params params) throws BadRequest {
		if (params.get("serviceName") == null || params.get("serviceName").isEmpty()) {
			throw missingV3("serviceName", "String");
		}
		ServiceKey service = ServiceKey.of(params.get("namespaceId"), params.get("groupName"),
				params.get("serviceName"));
		// This API lists one cluster, DEFAULT unless named, and ignores healthyOnly.
		String cluster = (params.get("clusterName") != null) ? params.get("clusterName") : NamingStore.DEFAULT_CLUSTER;
		ServiceInfo info = this.naming.query(service, cluster, false);
		return Reply.json(200, Map.of("code", 0, "message", "success", "data",
				info.getHosts().stream().map(HttpEndpoint::hostJson).toList()));
	}

	private static Map<String, Object> hostJson(Instance instance) {
		Map<String, Object> host = new LinkedHashMap<>();
		host.put("instanceId", instance.getInstanceId());
		host.put("ip", instance.getIp());
		host.put("port", instance.getPort());
		host.put("weight", instance.getWeight());
		host.put("healthy", instance.isHealthy());
		host.put("enabled", instance.isEnabled());
		host.put("ephemeral", instance.isEphemeral());
		host.put("clusterName", instance.getClusterName());
		host.put("serviceName", instance.getServiceName());
		host.put("metadata", instance.getMetadata());
		host.put("instanceHeartBeatInterval", 5000);
		host.put("instanceHeartBeatTimeOut", 15000);
		host.put("ipDeleteTimeout", 30000);
		return host;
	}

	private static ServiceKey service(Params params) throws BadRequest {
		String name = params.required("serviceName");
		if (name.startsWith("@@")) {
			throw new BadRequest(Reply.json(400, springError(400, "Bad Request",
					"Service name filter error,caused: Param 'serviceName' is illegal, groupName can't be empty;",
					"/nacos/v1/ns/instance")));
		}
		String group = params.get("groupName");
		int split = name.indexOf("@@");
		if (split >= 0) {
			group = name.substring(0, split);
			name = name.substring(split + 2);
		}
		return ServiceKey.of(params.get("namespaceId"), group, name);
	}

	private static Instance instance(Params params) throws BadRequest {
		Instance instance = new Instance();
		instance.setIp(params.required("ip"));
		instance.setPort(port(params.required("port")));
		String cluster = (params.get("clusterName") != null) ? params.get("clusterName") : params.get("cluster");
		if (cluster != null && !cluster.isEmpty() && !PARAM_CLUSTER.matcher(cluster).matches()) {
			throw new BadRequest(Reply.text(400,
					"Param 'cluster' is illegal, illegal characters should not appear in the param.\r\n"));
		}
		instance.setClusterName(cluster);
		instance.setWeight(number(params.get("weight"), 1.0));
		String enabled = (params.get("enabled") != null) ? params.get("enabled") : params.get("enable");
		instance.setEnabled(enabled == null || Boolean.parseBoolean(enabled));
		instance.setHealthy(params.get("healthy") == null || Boolean.parseBoolean(params.get("healthy")));
		instance.setEphemeral(params.get("ephemeral") == null || Boolean.parseBoolean(params.get("ephemeral")));
		instance.setMetadata(metadata(params.get("metadata")));
		if (NamingRequests.metadataLength(instance.getMetadata()) > NamingRequests.MAX_METADATA_LENGTH) {
			throw new BadRequest(Reply.text(400, NamingRequests.METADATA_TOO_LONG + "\r\n"));
		}
		return instance;
	}

	private static int port(String value) throws BadRequest {
		try {
			int port = Integer.parseInt(value.trim());
			if (port >= 0 && port <= 65535) {
				return port;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new BadRequest(Reply.text(400, "Param 'port' is illegal, the value should be between 0 and 65535.\r\n"));
	}

	private static double number(String value, double fallback) throws BadRequest {
		if (value == null || value.isBlank()) {
			return fallback;
		}
		try {
			return Double.parseDouble(value.trim());
		}
		catch (NumberFormatException ex) {
			throw new BadRequest(Reply.text(400, "For input string: \"" + value + "\""));
		}
	}

	/** Metadata as a JSON object, or else as {@code k1=v1,k2=v2}. */
	private static Map<String, String> metadata(String value) throws BadRequest {
		Map<String, String> metadata = new LinkedHashMap<>();
		if (value == null || value.isBlank()) {
			return metadata;
		}
		try {
			return json.readValue(value, new TypeReference<LinkedHashMap<String, String>>() {
			});
		}
		catch (JsonProcessingException ex) {
			for (String pair : value.split(",")) {
				int eq = pair.indexOf('=');
				if (eq <= 0) {
					throw new BadRequest(Reply.json(500,
							springError(500, "Internal Server Error",
									"Server failed, caused: ErrCode:400, ErrMsg:metadata format incorrect:" + value
											+ ";caused: metadata format incorrect:" + value + ";",
									"/nacos/v1/ns/instance")));
				}
				metadata.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
			}
			return metadata;
		}
	}

	private static final java.util.regex.Pattern PARAM_CLUSTER = java.util.regex.Pattern.compile("^[0-9a-zA-Z-_]+$");

	// ---- config

	private Reply v1GetConfig(Params params, String path) throws BadRequest {
		ConfigKey key = configKey(params, path, "tenant", "group");
		ConfigStore.ConfigItem item = this.configs.get(key);
		if (item == null) {
			return new Reply(404, "application/json;charset=UTF-8", "config data not exist\n");
		}
		Reply reply = new Reply(200, "text/plain;charset=UTF-8", item.content());
		reply.headers.put("Config-Type", item.type());
		reply.headers.put("Content-MD5", item.md5());
		reply.headers.put("Last-Modified", HTTP_DATE.format(Instant.ofEpochMilli(item.lastModified())));
		reply.headers.put("Encrypted-Data-Key", "");
		return reply;
	}

	private Reply v1PublishConfig(Params params, String path) throws BadRequest {
		params.springRequired("dataId", path);
		params.springRequired("group", path);
		params.springRequired("content", path);
		ConfigKey key = configKey(params, path, "tenant", "group");
		String content = params.get("content");
		if (content.isBlank()) {
			throw new BadRequest(Reply.text(400, "caused: content is blank : " + content + ";"));
		}
		return new Reply(200, "application/json;charset=UTF-8",
				String.valueOf(this.configs.publish(key, content, params.get("type"), params.get("casMd5"))));
	}

	private Reply v1RemoveConfig(Params params, String path) throws BadRequest {
		this.configs.remove(configKey(params, path, "tenant", "group"));
		return new Reply(200, "application/json;charset=UTF-8", "true");
	}

	private Reply v3GetConfig(Params params) throws BadRequest {
		checkConfigParams(params.get("namespaceId"), params.get("dataId"), params.get("groupName"), null);
		requireV3(params, "groupName");
		requireV3(params, "dataId");
		ConfigKey key = ConfigKey.of(params.get("namespaceId"), params.get("groupName"), params.get("dataId"));
		ConfigStore.ConfigItem item = this.configs.get(key);
		if (item == null) {
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("code", 20004);
			body.put("message", "resource not found");
			body.put("data", null);
			return Reply.json(200, body);
		}
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("resultCode", 200);
		data.put("errorCode", 0);
		data.put("message", null);
		data.put("requestId", null);
		data.put("content", item.content());
		data.put("encryptedDataKey", "");
		data.put("contentType", item.type());
		data.put("md5", item.md5());
		data.put("lastModified", item.lastModified());
		data.put("tag", null);
		data.put("beta", false);
		data.put("success", true);
		return Reply.json(200, Map.of("code", 0, "message", "success", "data", data));
	}

	private static ConfigKey configKey(Params params, String path, String tenantParam, String groupParam)
			throws BadRequest {
		checkConfigParams(params.get(tenantParam), params.get("dataId"), params.get(groupParam),
				"application/json;charset=UTF-8");
		String dataId = params.springRequired("dataId", path);
		String group = params.springRequired(groupParam, path);
		for (String[] named : new String[][] { { "dataId", dataId }, { "group", group } }) {
			if (named[1].isEmpty()) {
				throw new BadRequest(Reply.text(400, "caused: invalid " + named[0] + " : ;"));
			}
			if (!ConfigRequests.VALID_NAME.matcher(named[1]).matches()) {
				throw new BadRequest(Reply.text(400,
						"Param '" + named[0] + "' is illegal, illegal characters should not appear in the param.\r\n"));
			}
		}
		return ConfigKey.of(params.get(tenantParam), group, dataId);
	}

	/**
	 * Nacos' parameter check, which runs before the API itself (so before missing
	 * parameters are reported), in its order: namespace, data id, group. Blank values
	 * pass.
	 */
	private static void checkConfigParams(String namespace, String dataId, String group, String contentType)
			throws BadRequest {
		String problem = paramProblem("namespaceId/tenant", namespace, 64, NAMESPACE_ID);
		if (problem == null) {
			problem = paramProblem("dataId", dataId, 256, CONFIG_NAME);
		}
		if (problem == null) {
			problem = paramProblem("group", group, 128, CONFIG_NAME);
		}
		if (problem != null) {
			throw new BadRequest(new Reply(400, contentType, problem + "\r\n"));
		}
	}

	private static String paramProblem(String name, String value, int maxLength, java.util.regex.Pattern pattern) {
		if (value == null || value.isBlank()) {
			return null;
		}
		if (value.length() > maxLength) {
			return "Param '" + name + "' is illegal, the param length should not exceed " + maxLength + ".";
		}
		if (!pattern.matcher(value).matches()) {
			return "Param '" + name + "' is illegal, illegal characters should not appear in the param.";
		}
		return null;
	}

	private static final java.util.regex.Pattern NAMESPACE_ID = java.util.regex.Pattern.compile("^[\\w-]+");

	private static final java.util.regex.Pattern CONFIG_NAME = java.util.regex.Pattern.compile("^[a-zA-Z0-9-_:\\.]*$");

	private static void requireV3(Params params, String name) throws BadRequest {
		if (params.get(name) == null || params.get(name).isEmpty()) {
			throw new BadRequest(
					Reply.text(400, "caused: Required parameter '" + name + "' type String is not present;"));
		}
	}

	private interface V3Call {

		Reply call() throws BadRequest;

	}

	/**
	 * Wraps a v1 answer in the v3 {@code Result} envelope, and v1 parameter errors in
	 * v3's.
	 */
	private static Reply v3(V3Call call) throws BadRequest {
		Reply reply;
		try {
			reply = call.call();
		}
		catch (BadRequest ex) {
			if (ex.missingParameter != null) {
				throw missingV3(ex.missingParameter, ex.missingParameter.equals("port") ? "Integer" : "String");
			}
			if (ex.v3Code != 0) {
				throw new BadRequest(
						Reply.json(400, Map.of("code", ex.v3Code, "message", ex.v3Message, "data", ex.reply.body)));
			}
			throw ex;
		}
		return Reply.json(reply.status, Map.of("code", 0, "message", "success", "data", reply.body));
	}

	private static BadRequest missingV3(String name, String type) {
		return new BadRequest(Reply.json(400, Map.of("code", 10000, "message", "parameter missing", "data",
				"Required parameter '" + name + "' type " + type + " is not present")));
	}

	private static Map<String, Object> springError(int status, String error, String message, String path) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("timestamp", Instant.now().toString());
		body.put("status", status);
		body.put("error", error);
		body.put("message", message);
		body.put("path", path);
		return body;
	}

	/**
	 * Query and form parameters of one request (form values win), plus the access token
	 * wherever the client put it.
	 */
	private static final class Params {

		private final Map<String, String> values = new LinkedHashMap<>();

		private String accessTokenHeader;

		static Params of(HttpExchange exchange) throws IOException {
			Params params = new Params();
			params.parse(exchange.getRequestURI().getRawQuery());
			String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
			byte[] body = exchange.getRequestBody().readAllBytes();
			if (body.length > 0
					&& (contentType == null || contentType.startsWith("application/x-www-form-urlencoded"))) {
				params.parse(new String(body, StandardCharsets.UTF_8));
			}
			params.accessTokenHeader = exchange.getRequestHeaders().getFirst("accessToken");
			String authorization = exchange.getRequestHeaders().getFirst("Authorization");
			if (params.accessTokenHeader == null && authorization != null && authorization.startsWith("Bearer ")) {
				params.accessTokenHeader = authorization.substring("Bearer ".length()).trim();
			}
			return params;
		}

		private void parse(String raw) {
			if (raw == null || raw.isEmpty()) {
				return;
			}
			for (String pair : raw.split("&")) {
				int eq = pair.indexOf('=');
				String name = URLDecoder.decode((eq < 0) ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
				String value = (eq < 0) ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
				this.values.put(name, value);
			}
		}

		String get(String name) {
			return this.values.get(name);
		}

		String accessToken() {
			return (this.values.get("accessToken") != null) ? this.values.get("accessToken") : this.accessTokenHeader;
		}

		/** A parameter that naming's v1 API reports missing in its own words. */
		String required(String name) throws BadRequest {
			String value = this.values.get(name);
			if (value == null || value.isBlank()) {
				BadRequest missing = new BadRequest(Reply.text(400, "Param '" + name + "' is required."));
				missing.missingParameter = name;
				throw missing;
			}
			return value;
		}

		/** A parameter that Spring MVC reports missing (the config v1 API). */
		String springRequired(String name, String path) throws BadRequest {
			String value = this.values.get(name);
			if (value == null) {
				throw new BadRequest(Reply.json(400,
						springError(400, "Bad Request", "Required parameter '" + name + "' is not present.", path)));
			}
			return value;
		}

	}

	private static final class Reply {

		final int status;

		final String contentType;

		final String body;

		final Map<String, String> headers = new LinkedHashMap<>();

		Reply(int status, String contentType, String body) {
			this.status = status;
			this.contentType = contentType;
			this.body = body;
		}

		static Reply text(int status, String body) {
			return new Reply(status, "text/plain;charset=UTF-8", body);
		}

		static Reply json(int status, Object body) {
			try {
				return new Reply(status, "application/json", json.writeValueAsString(body));
			}
			catch (JsonProcessingException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

	private static final class BadRequest extends Exception {

		final transient Reply reply;

		String missingParameter;

		int v3Code;

		String v3Message;

		BadRequest(Reply reply) {
			super(null, null, false, false);
			this.reply = reply;
		}

	}

}
