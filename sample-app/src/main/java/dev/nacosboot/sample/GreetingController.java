package dev.nacosboot.sample;

import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A greeting served by this instance.
 */
@RestController
class GreetingController {

	private final String applicationName;

	GreetingController(@Value("${spring.application.name}") String applicationName) {
		this.applicationName = applicationName;
	}

	@GetMapping("/greeting")
	Map<String, String> greeting() {
		return Map.of("from", this.applicationName, "greeting", "hello");
	}

}
