package dev.nacosboot.sample.provider;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.context.annotation.Profile;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The provider's one endpoint: says which version and instance answered, so that the
 * consumer can count the split.
 */
@RestController
@Profile("provider")
class GreetingController {

	private final Registration registration;

	private final String version;

	GreetingController(Registration registration,
			@Value("${spring.cloud.nacos.discovery.metadata.version}") String version) {
		this.registration = registration;
		this.version = version;
	}

	@GetMapping("/greeting")
	Greeting greeting() {
		// The registration holds the address this instance is registered (and so called)
		// with.
		return new Greeting(this.registration.getServiceId(), this.version,
				this.registration.getHost() + ":" + this.registration.getPort());
	}

	record Greeting(String service, String version, String instance) {
	}

}
