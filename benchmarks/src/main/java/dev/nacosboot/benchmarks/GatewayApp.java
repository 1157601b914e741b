package dev.nacosboot.benchmarks;

import java.io.IOException;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Spring Cloud Gateway on the starter, as a user writes it: no code, the discovery
 * locator switched on by a property. Run in a child JVM by {@link GatewayRoutesScenario}
 * with the gateway's jars on its class path; settings come as {@code --name=value}
 * arguments. Prints {@code gateway ready on port N} once started and stops when its
 * standard input closes.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class GatewayApp {

	/** What the parent waits for on this JVM's output. */
	static final String READY = "gateway ready on port ";

	public static void main(String[] args) throws IOException {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApp.class)
			.web(WebApplicationType.REACTIVE)
			.run(args);
		System.out.println(READY + context.getEnvironment().getProperty("local.server.port"));
		System.out.flush();
		while (System.in.read() >= 0) {
			// Runs until the parent closes the pipe or ends this process.
		}
		context.close();
		System.exit(0);
	}

}
