package dev.nacosboot.sample;

import org.springframework.boot.SpringApplication;

/**
 * Starts the sample on an embedded Nacos test server (no Nacos installation needed):
 * {@code ./mvnw -pl sample-app -am spring-boot:test-run}. With {@code NACOS_SERVER_ADDR} set, it uses that server.
 */
public final class TestSampleApplication {

	private TestSampleApplication() {
	}

	public static void main(String[] args) {
		String[] withServer = new String[args.length + 1];
		withServer[0] = "--nacos.test-server.enabled=true";
		System.arraycopy(args, 0, withServer, 1, args.length);
		SpringApplication.from(SampleApplication::main).run(withServer);
	}

}
