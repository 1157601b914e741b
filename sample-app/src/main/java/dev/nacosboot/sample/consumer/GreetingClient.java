package dev.nacosboot.sample.consumer;

import org.jspecify.annotations.Nullable;

import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * Calls greeting-service through the {@code @LoadBalanced} client, so every call goes
 * through the gray-release load balancer, and records who answered.
 */
public class GreetingClient {

	/** Header the gray rules read (the starter's default {@code version-header}). */
	public static final String VERSION_HEADER = "X-Gray-Version";

	/**
	 * Sticky header of the sample's rule: one user stays on one side of the canary split.
	 */
	public static final String USER_HEADER = "X-User-Id";

	private final RestClient restClient;

	private final TrafficRecorder recorder;

	public GreetingClient(RestClient restClient, TrafficRecorder recorder) {
		this.restClient = restClient;
		this.recorder = recorder;
	}

	/**
	 * Calls greeting-service once.
	 * @param grayVersion value of {@value #VERSION_HEADER}, or {@code null} to let the
	 * rules decide
	 * @param userId value of {@value #USER_HEADER}, or {@code null}
	 * @return the answer, or why there is none
	 */
	public Call call(@Nullable String grayVersion, @Nullable String userId) {
		try {
			ProviderGreeting greeting = this.restClient.get()
				.uri("http://greeting-service/greeting")
				.headers((headers) -> {
					if (grayVersion != null && !grayVersion.isBlank()) {
						headers.set(VERSION_HEADER, grayVersion);
					}
					if (userId != null && !userId.isBlank()) {
						headers.set(USER_HEADER, userId);
					}
				})
				.retrieve()
				.body(ProviderGreeting.class);
			if (greeting == null) {
				this.recorder.recordFailure("error");
				return new Call(null, null, "empty answer");
			}
			this.recorder.recordAnswer(greeting.version(), greeting.instance());
			return new Call(greeting.version(), greeting.instance(), null);
		}
		catch (IllegalStateException ex) {
			// RestClient's answer when the balancer finds no instance (none registered,
			// or 'fail' on a missing version)
			this.recorder.recordFailure("no-instance");
			return new Call(null, null, ex.getMessage());
		}
		catch (RestClientException ex) {
			this.recorder.recordFailure("error");
			return new Call(null, null, ex.getMessage());
		}
	}

	/**
	 * What greeting-service answers.
	 *
	 * @param service its service name
	 * @param version its version metadata
	 * @param instance its {@code host:port}
	 */
	record ProviderGreeting(String service, String version, String instance) {
	}

	/**
	 * Outcome of one call.
	 *
	 * @param version version that answered, or {@code null} when none did
	 * @param instance instance that answered, or {@code null}
	 * @param error why no instance answered, or {@code null}
	 */
	public record Call(@Nullable String version, @Nullable String instance, @Nullable String error) {
	}

}
