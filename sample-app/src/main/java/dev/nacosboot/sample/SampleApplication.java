package dev.nacosboot.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The sample application, one role per run: profile {@code consumer} (the default: the
 * page at {@code /}) or {@code provider} ({@code greeting-service}). Run
 * {@code TestSampleApplication} (the README's command) to start the whole demo on an
 * embedded Nacos test server, or this class with {@code NACOS_SERVER_ADDR} pointing at a
 * real Nacos.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
