package dev.nacosboot.testserver;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP API a person uses with curl: probes, the v1 open API and the Nacos 3 client
 * API, with the status codes and messages a real Nacos 3 gives for good and bad requests.
 */
class HttpApiIntegrationTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static String accessToken;

	private static final ObjectMapper json = new ObjectMapper();

	private String group;

	private String namespace;

	@BeforeEach
	void setUp(TestInfo test) {
		this.group = nacos.target().unique(test.getTestMethod().orElseThrow().getName());
		this.namespace = nacos.target().unique("ns");
	}

	@Test
	void probesAnswerOk() throws Exception {
		for (String probe : new String[] { "liveness", "readiness" }) {
			HttpResponse<String> response = get("/nacos/v3/admin/core/state/" + probe);
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(json.readTree(response.body()).get("data").asText()).isEqualTo("ok");
		}
	}

	@Test
	void instanceRegisteredOverHttpIsListedAndDeregistered() throws Exception {
		String service = "serviceName=http-svc&groupName=" + this.group + "&namespaceId=" + this.namespace;
		HttpResponse<String> registered = send("POST", "/nacos/v1/ns/instance?" + service
				+ "&ip=10.8.0.1&port=8080&weight=2&metadata=" + encode("{\"version\":\"v2\"}"));
		assertThat(registered.statusCode()).isEqualTo(200);
		assertThat(registered.body()).isEqualTo("ok");

		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			JsonNode list = json.readTree(get("/nacos/v1/ns/instance/list?" + service).body());
			assertThat(list.get("name").asText()).isEqualTo(this.group + "@@http-svc");
			assertThat(list.get("hosts")).hasSize(1);
			JsonNode host = list.get("hosts").get(0);
			assertThat(host.get("ip").asText()).isEqualTo("10.8.0.1");
			assertThat(host.get("port").asInt()).isEqualTo(8080);
			assertThat(host.get("weight").asDouble()).isEqualTo(2.0);
			assertThat(host.get("metadata").get("version").asText()).isEqualTo("v2");
			assertThat(host.get("instanceId").asText()).isEqualTo("10.8.0.1#8080#DEFAULT#" + this.group + "@@http-svc");
		});

		assertThat(send("DELETE", "/nacos/v1/ns/instance?" + service + "&ip=10.8.0.1&port=8080").body())
			.isEqualTo("ok");
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(
					() -> assertThat(json.readTree(get("/nacos/v1/ns/instance/list?" + service).body()).get("hosts"))
						.isEmpty());
	}

	@Test
	void badInstanceParametersAreRefusedWithTheServersMessages() throws Exception {
		assertThat(send("POST", "/nacos/v1/ns/instance?ip=10.8.0.1&port=80")).satisfies(
				(response) -> assertThat(response.statusCode()).isEqualTo(400),
				(response) -> assertThat(response.body()).isEqualTo("Param 'serviceName' is required."));
		assertThat(send("POST", "/nacos/v1/ns/instance?serviceName=x&port=80")).satisfies(
				(response) -> assertThat(response.statusCode()).isEqualTo(400),
				(response) -> assertThat(response.body()).isEqualTo("Param 'ip' is required."));
		assertThat(send("POST", "/nacos/v1/ns/instance?serviceName=x&ip=10.8.0.1&port=abc")).satisfies(
				(response) -> assertThat(response.statusCode()).isEqualTo(400),
				(response) -> assertThat(response.body())
					.startsWith("Param 'port' is illegal, the value should be between 0 and 65535."));
		assertThat(send("POST", "/nacos/v1/ns/instance?serviceName=x&ip=10.8.0.1&port=80&weight=-1")).satisfies(
				(response) -> assertThat(response.statusCode()).isEqualTo(400),
				(response) -> assertThat(response.body())
					.isEqualTo("instance format invalid: The weights range from 0.0 to 10000.0"));
		assertThat(send("POST", "/nacos/v1/ns/instance?serviceName=x&ip=10.8.0.1&port=80&clusterName=bad_name"))
			.satisfies((response) -> assertThat(response.statusCode()).isEqualTo(400),
					(response) -> assertThat(response.body()).isEqualTo(
							"Instance 'clusterName' should be characters with only 0-9a-zA-Z-. (current: bad_name)"));
		assertThat(send("POST", "/nacos/v1/ns/instance?serviceName=x&ip=10.8.0.1&port=80&clusterName=bad.name"))
			.satisfies((response) -> assertThat(response.statusCode()).isEqualTo(400),
					(response) -> assertThat(response.body())
						.startsWith("Param 'cluster' is illegal, illegal characters should not appear in the param."));
		assertThat(send("POST", "/nacos/v1/ns/instance?serviceName=x&ip=10.8.0.1&port=80&weight=abc")).satisfies(
				(response) -> assertThat(response.statusCode()).isEqualTo(400),
				(response) -> assertThat(response.body()).isEqualTo("For input string: \"abc\""));
		assertThat(send("POST",
				"/nacos/v1/ns/instance?serviceName=x&ip=10.8.0.1&port=80&metadata="
						+ encode("{\"big\":\"" + "x".repeat(1022) + "\"}")))
			.satisfies((response) -> assertThat(response.statusCode()).isEqualTo(400),
					(response) -> assertThat(response.body())
						.startsWith("Param 'Metadata' is illegal, the param length should not exceed 1024."));
		assertThat(get("/nacos/v1/ns/instance/list").statusCode()).isEqualTo(400);
	}

	@Test
	void metadataMayBeGivenAsKeyValuePairs() throws Exception {
		String service = "serviceName=kv-svc&groupName=" + this.group + "&namespaceId=" + this.namespace;
		assertThat(send("POST",
				"/nacos/v1/ns/instance?" + service + "&ip=10.8.0.3&port=80&metadata=" + encode("version=v3,zone=b"))
			.statusCode()).isEqualTo(200);

		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			JsonNode hosts = json.readTree(get("/nacos/v1/ns/instance/list?" + service).body()).get("hosts");
			assertThat(hosts).hasSize(1);
			assertThat(hosts.get(0).get("metadata").get("version").asText()).isEqualTo("v3");
			assertThat(hosts.get(0).get("metadata").get("zone").asText()).isEqualTo("b");
		});
		send("DELETE", "/nacos/v1/ns/instance?" + service + "&ip=10.8.0.3&port=80");
	}

	@Test
	void configPublishedOverHttpIsReadAndDeleted() throws Exception {
		String key = "dataId=http.yaml&group=" + this.group + "&tenant=" + this.namespace;
		HttpResponse<String> published = send("POST", "/nacos/v1/cs/configs",
				key + "&type=yaml&content=" + encode("name: nacos\n"));
		assertThat(published.statusCode()).isEqualTo(200);
		assertThat(published.body()).isEqualTo("true");

		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			HttpResponse<String> read = get("/nacos/v1/cs/configs?" + key);
			assertThat(read.statusCode()).isEqualTo(200);
			assertThat(read.body()).isEqualTo("name: nacos\n");
			assertThat(read.headers().firstValue("Config-Type")).contains("yaml");
			assertThat(read.headers().firstValue("Content-MD5")).contains(ConfigStore.md5("name: nacos\n"));
		});

		assertThat(send("DELETE", "/nacos/v1/cs/configs?" + key).body()).isEqualTo("true");
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			HttpResponse<String> missing = get("/nacos/v1/cs/configs?" + key);
			assertThat(missing.statusCode()).isEqualTo(404);
			assertThat(missing.body()).startsWith("config data not exist");
		});
	}

	@Test
	void badConfigParametersAreRefused() throws Exception {
		HttpResponse<String> noDataId = get("/nacos/v1/cs/configs?group=G");
		assertThat(noDataId.statusCode()).isEqualTo(400);
		assertThat(json.readTree(noDataId.body()).get("message").asText())
			.isEqualTo("Required parameter 'dataId' is not present.");
		HttpResponse<String> noContent = send("POST", "/nacos/v1/cs/configs", "dataId=a.yaml&group=G");
		assertThat(noContent.statusCode()).isEqualTo(400);
		assertThat(json.readTree(noContent.body()).get("message").asText())
			.isEqualTo("Required parameter 'content' is not present.");
		HttpResponse<String> badDataId = send("POST", "/nacos/v1/cs/configs", "dataId=a%20b&group=G&content=1");
		assertThat(badDataId.statusCode()).isEqualTo(400);
		assertThat(badDataId.body())
			.startsWith("Param 'dataId' is illegal, illegal characters should not appear in the param.");
	}

	@Test
	void nacos3ClientApiWrapsResultsAndReportsMissingParameters() throws Exception {
		String service = "serviceName=v3-svc&groupName=" + this.group + "&namespaceId=" + this.namespace;
		HttpResponse<String> registered = send("POST",
				"/nacos/v3/client/ns/instance?" + service + "&ip=10.8.0.2&port=81");
		assertThat(registered.statusCode()).isEqualTo(200);
		assertThat(json.readTree(registered.body()).get("code").asInt()).isZero();

		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			JsonNode listed = json.readTree(get("/nacos/v3/client/ns/instance/list?" + service).body());
			assertThat(listed.get("code").asInt()).isZero();
			assertThat(listed.get("data")).hasSize(1);
			assertThat(listed.get("data").get(0).get("ip").asText()).isEqualTo("10.8.0.2");
		});
		assertThat(
				json.readTree(send("DELETE", "/nacos/v3/client/ns/instance?" + service + "&ip=10.8.0.2&port=81").body())
					.get("data")
					.asText())
			.isEqualTo("ok");

		HttpResponse<String> missingIp = send("POST", "/nacos/v3/client/ns/instance?" + service + "&port=81");
		assertThat(missingIp.statusCode()).isEqualTo(400);
		assertThat(json.readTree(missingIp.body()).get("code").asInt()).isEqualTo(10000);

		send("POST", "/nacos/v1/cs/configs", "dataId=v3.properties&group=" + this.group + "&tenant=" + this.namespace
				+ "&type=properties&content=a%3D1");
		String config = "/nacos/v3/client/cs/config?dataId=v3.properties&groupName=" + this.group + "&namespaceId="
				+ this.namespace;
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			JsonNode read = json.readTree(get(config).body());
			assertThat(read.get("code").asInt()).isZero();
			assertThat(read.get("data").get("content").asText()).isEqualTo("a=1");
			assertThat(read.get("data").get("contentType").asText()).isEqualTo("properties");
		});
		JsonNode missing = json.readTree(get("/nacos/v3/client/cs/config?dataId=absent.yaml&groupName=" + this.group
				+ "&namespaceId=" + this.namespace)
			.body());
		assertThat(missing.get("code").asInt()).isEqualTo(20004);
		assertThat(get("/nacos/v3/client/cs/config?groupName=G").statusCode()).isEqualTo(400);
		send("DELETE", "/nacos/v1/cs/configs?dataId=v3.properties&group=" + this.group + "&tenant=" + this.namespace);
	}

	@Test
	void illegalConfigParametersAreRefusedBeforeAnythingElse() throws Exception {
		String v3 = "/nacos/v3/client/cs/config?";
		String illegal = " is illegal, illegal characters should not appear in the param.";
		assertRefused(get(v3 + "dataId=a%20b&groupName=G"), "Param 'dataId'" + illegal);
		assertRefused(get(v3 + "dataId=ab&groupName=G%20x"), "Param 'group'" + illegal);
		assertRefused(get(v3 + "dataId=a%20b&groupName=G%20x&namespaceId=a.b"), "Param 'namespaceId/tenant'" + illegal);
		// Before a missing parameter is reported.
		assertRefused(get(v3 + "dataId=%E4%B8%AD"), "Param 'dataId'" + illegal);
		assertRefused(get(v3 + "dataId=ab&groupName=G&namespaceId=" + "n".repeat(65)),
				"Param 'namespaceId/tenant' is illegal, the param length should not exceed 64.");
		assertRefused(get("/nacos/v1/cs/configs?dataId=ab&group=G&tenant=a%20b"),
				"Param 'namespaceId/tenant'" + illegal);
		HttpResponse<String> legal = get(v3 + "dataId=a:b-c_d.e&groupName=" + this.group + "&namespaceId=public");
		assertThat(legal.statusCode()).isEqualTo(200);
		assertThat(json.readTree(legal.body()).get("code").asInt()).isEqualTo(20004);
		// Legal but incomplete: the missing parameter is named, as text.
		assertRefused(get(v3 + "groupName=G"), "caused: Required parameter 'dataId' type String is not present;");
		assertRefused(get(v3 + "dataId=ab"), "caused: Required parameter 'groupName' type String is not present;");
		assertRefused(get(v3 + "dataId=ab&groupName="),
				"caused: Required parameter 'groupName' type String is not present;");
	}

	@Test
	void missingConfigIsCode20004OverV3And404OverV1() throws Exception {
		HttpResponse<String> v3 = get("/nacos/v3/client/cs/config?dataId=absent.yaml&groupName=" + this.group
				+ "&namespaceId=" + this.namespace);
		assertThat(v3.statusCode()).isEqualTo(200);
		assertThat(v3.body()).isEqualTo("{\"code\":20004,\"message\":\"resource not found\",\"data\":null}");
		HttpResponse<String> v1 = get(
				"/nacos/v1/cs/configs?dataId=absent.yaml&group=" + this.group + "&tenant=" + this.namespace);
		assertThat(v1.statusCode()).isEqualTo(404);
		assertThat(v1.body()).isEqualTo("config data not exist\n");
	}

	@Test
	void httpRequestsAreCountedByPath() throws Exception {
		String path = "/nacos/v3/client/cs/config";
		long before = nacos.target().server().httpRequestCount(path);
		long total = nacos.target().server().httpRequestCount();

		get(path + "?dataId=counted.yaml&groupName=" + this.group);
		get(path + "?dataId=a%20b&groupName=" + this.group);

		assertThat(nacos.target().server().httpRequestCount(path)).isEqualTo(before + 2);
		assertThat(nacos.target().server().httpRequestCount()).isEqualTo(total + 2);
	}

	private static void assertRefused(HttpResponse<String> response, String message) {
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body().strip()).isEqualTo(message);
	}

	@Test
	void unknownApisAreNotImplemented() throws Exception {
		assertThat(get("/nacos/v1/ns/nothing").statusCode()).isEqualTo(501);
		assertThat(send("PUT", "/nacos/v1/cs/configs?dataId=a&group=b").statusCode()).isEqualTo(405);
		assertThat(send("POST", "/nacos/v3/client/cs/config?dataId=a&groupName=b").statusCode()).isEqualTo(405);
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return send("GET", path);
	}

	private static HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
		return send(method, path, null);
	}

	private static HttpResponse<String> send(String method, String path, String form)
			throws IOException, InterruptedException {
		String token = accessToken();
		String withToken = (token != null) ? path + (path.contains("?") ? "&" : "?") + "accessToken=" + token : path;
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://" + nacos.target().serverAddr() + withToken))
			.timeout(Duration.ofSeconds(10));
		if (form != null) {
			request.header("Content-Type", "application/x-www-form-urlencoded")
				.method(method, HttpRequest.BodyPublishers.ofString(form));
		}
		else {
			request.method(method, HttpRequest.BodyPublishers.noBody());
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	// A server with auth on (NACOS_USERNAME / NACOS_PASSWORD) wants a token on every call
	// of its open API.
	private static synchronized String accessToken() throws IOException, InterruptedException {
		if (accessToken == null && nacos.target().username().isPresent()) {
			String form = "username=" + encode(nacos.target().username().get()) + "&password="
					+ encode(nacos.target().password().orElse(""));
			HttpResponse<String> login = http.send(
					HttpRequest.newBuilder(URI.create("http://" + nacos.target().serverAddr() + "/nacos/v1/auth/login"))
						.header("Content-Type", "application/x-www-form-urlencoded")
						.POST(HttpRequest.BodyPublishers.ofString(form))
						.build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(login.statusCode()).as("login at %s", nacos.target()).isEqualTo(200);
			accessToken = json.readTree(login.body()).get("accessToken").asText();
		}
		return accessToken;
	}

}
