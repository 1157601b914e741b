package dev.nacosboot.sample;

/**
 * Starts the whole demo, the README's command
 * {@code ./mvnw -pl sample-app -am spring-boot:test-run}: an embedded Nacos test server
 * with the sample's seed configs, greeting-service v1 and v2, and the consumer with the
 * page on http://localhost:8090/. With {@code NACOS_SERVER_ADDR} set it uses that Nacos
 * instead (see {@link DemoTopology}).
 */
public final class TestSampleApplication {

	private TestSampleApplication() {
	}

	public static void main(String[] args) {
		DemoTopology.start(args);
	}

}
