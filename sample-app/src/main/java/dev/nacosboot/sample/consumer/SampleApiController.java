package dev.nacosboot.sample.consumer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.discovery.NacosDiscoveryProperties;
import dev.nacosboot.sample.consumer.TrafficRecorder.SecondCounts;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the page shows and the changes it makes. Registration, gray rules and refresh
 * history come from the starter's {@code /actuator/nacos} endpoint; this adds the
 * sample's own view.
 */
@RestController
@RequestMapping("/api")
@Profile("consumer")
class SampleApiController {

	/** Seconds the traffic split on the page is summed over. */
	static final int WINDOW_SECONDS = 10;

	/** Seconds the chart shows, one bar each. */
	static final int CHART_SECONDS = 30;

	private static final String PROVIDER = "greeting-service";

	private final GreetingClient client;

	private final GreetingProperties greeting;

	private final TrafficProperties traffic;

	private final Announcement announcement;

	private final TrafficRecorder recorder;

	private final ConfigPublisher publisher;

	private final NamingService namingService;

	private final NacosDiscoveryProperties discovery;

	// A plain @Value field of a singleton: the starter re-injects it when the key changes
	// (no @RefreshScope).
	@Value("${sample.theme-color}")
	private String themeColor = "";

	SampleApiController(GreetingClient client, GreetingProperties greeting, TrafficProperties traffic,
			Announcement announcement, TrafficRecorder recorder, ConfigPublisher publisher, NamingService namingService,
			NacosDiscoveryProperties discovery) {
		this.client = client;
		this.greeting = greeting;
		this.traffic = traffic;
		this.announcement = announcement;
		this.recorder = recorder;
		this.publisher = publisher;
		this.namingService = namingService;
		this.discovery = discovery;
	}

	@GetMapping("/greet")
	Greet greet(@RequestHeader(name = GreetingClient.VERSION_HEADER, required = false) @Nullable String version,
			@RequestHeader(name = GreetingClient.USER_HEADER, required = false) @Nullable String user) {
		// Forwarded explicitly: the gray header of the incoming request decides the
		// outgoing call's instance.
		GreetingClient.Call call = this.client.call(version, user);
		String text = (call.version() != null)
				? this.greeting.getSalutation() + " from " + PROVIDER + " " + call.version() + " at " + call.instance()
				: "No answer: " + call.error();
		return new Greet(text, call.version(), call.instance(), call.error());
	}

	@GetMapping("/state")
	State state() throws NacosException {
		List<ConfigValue> config = List.of(
				new ConfigValue("sample.greeting.salutation", this.greeting.getSalutation(),
						"@ConfigurationProperties GreetingProperties"),
				new ConfigValue("sample.traffic.calls-per-second", String.valueOf(this.traffic.getCallsPerSecond()),
						"@ConfigurationProperties TrafficProperties"),
				new ConfigValue("sample.announcement", this.announcement.getText(), "@RefreshScope Announcement"),
				new ConfigValue("sample.theme-color", this.themeColor, "@Value field"));
		List<SecondCounts> seconds = this.recorder.lastSeconds(CHART_SECONDS);
		Map<String, Long> window = new TreeMap<>();
		seconds.subList(CHART_SECONDS - WINDOW_SECONDS, CHART_SECONDS)
			.forEach((second) -> second.byOutcome().forEach((key, n) -> window.merge(key, n, Long::sum)));
		return new State(config, this.announcement.getCreatedAt(), instances(),
				new Traffic(WINDOW_SECONDS, window, seconds));
	}

	private List<ProviderInstance> instances() throws NacosException {
		// Every instance, routable or not: the page shows why one gets no traffic.
		Map<String, Long> calls = this.recorder.byInstance(WINDOW_SECONDS);
		List<ProviderInstance> instances = new ArrayList<>();
		for (Instance instance : this.namingService.getAllInstances(PROVIDER, this.discovery.getGroup())) {
			String address = instance.getIp() + ":" + instance.getPort();
			instances.add(new ProviderInstance(address, instance.getMetadata().getOrDefault("version", "?"),
					instance.getWeight(), instance.isHealthy(), instance.isEnabled(), calls.getOrDefault(address, 0L)));
		}
		instances.sort((a, b) -> a.address().compareTo(b.address()));
		return instances;
	}

	@GetMapping(path = "/configs/{dataId}", produces = MediaType.TEXT_PLAIN_VALUE)
	ResponseEntity<String> readConfig(@PathVariable String dataId) throws NacosException {
		String content = this.publisher.read(dataId);
		return (content != null) ? ResponseEntity.ok(content) : ResponseEntity.notFound().build();
	}

	@PostMapping(path = "/configs/{dataId}", consumes = MediaType.TEXT_PLAIN_VALUE)
	Published publishConfig(@PathVariable String dataId, @RequestBody String content) throws NacosException {
		return new Published(dataId, this.publisher.publish(dataId, content));
	}

	@PostMapping("/rollout")
	Published rollout(@RequestParam int percent) throws NacosException {
		// Out-of-range values are published as they are: the starter refuses them and
		// keeps the rules in force.
		return new Published(ConfigPublisher.ROUTING_DATA_ID,
				this.publisher.publish(ConfigPublisher.ROUTING_DATA_ID, ConfigPublisher.routingRule(percent)));
	}

	@ExceptionHandler(IllegalArgumentException.class)
	ResponseEntity<Map<String, String>> badRequest(IllegalArgumentException ex) {
		return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("error", String.valueOf(ex.getMessage())));
	}

	@ExceptionHandler(NacosException.class)
	ResponseEntity<Map<String, String>> nacosUnavailable(NacosException ex) {
		return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(Map.of("error", String.valueOf(ex.getErrMsg())));
	}

	record Greet(String text, @Nullable String version, @Nullable String instance, @Nullable String error) {
	}

	record ConfigValue(String key, String value, String heldBy) {
	}

	record ProviderInstance(String address, String version, double weight, boolean healthy, boolean enabled,
			long calls) {
	}

	record Traffic(int windowSeconds, Map<String, Long> window, List<SecondCounts> seconds) {
	}

	record State(List<ConfigValue> config, Instant announcementCreatedAt, List<ProviderInstance> instances,
			Traffic traffic) {
	}

	record Published(String dataId, boolean accepted) {
	}

}
