package dev.nacosboot.sample.consumer;

import java.time.Instant;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * A {@code @RefreshScope} bean: a config change of {@code sample.announcement} replaces
 * the instance, so {@link #getCreatedAt()} shows when it was last rebuilt.
 */
@Component
@RefreshScope
@Profile("consumer")
public class Announcement {

	private final String text;

	private final Instant createdAt = Instant.now();

	public Announcement(@Value("${sample.announcement}") String text) {
		this.text = text;
	}

	public String getText() {
		return this.text;
	}

	public Instant getCreatedAt() {
		return this.createdAt;
	}

}
