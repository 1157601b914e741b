package dev.nacosboot.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The sample application. Run {@code TestSampleApplication} (README's command) to start it on an embedded Nacos
 * test server, or this class with {@code spring.cloud.nacos.server-addr} pointing at a real Nacos.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
