package dev.nacosboot.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.autoconfigure.preinitialize.BackgroundPreinitializer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Loads the classes nacos-client needs while an application starts (about 2,800: the client, its shaded gRPC, Netty
 * and protobuf, Jackson 2) on Spring Boot's background preinitialization thread, so that the main thread finds them
 * loaded when it creates the config client for {@code spring.config.import} and later the naming client. Loading
 * these classes is a large part of what the clients cost at startup, and the main thread is busy with Boot's own work
 * meanwhile. Classes are loaded, not initialized: no client code runs here.
 * <p>
 * Boot runs preinitializers only on more than one CPU and not when the system property
 * {@code spring.backgroundpreinitializer.ignore} is {@code true}; the system property {@value #IGNORE_PROPERTY} turns
 * off this one alone. It runs first of them: the config import comes before anything Boot's own preinitializers
 * prepare.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public final class NacosClientClassesPreinitializer implements BackgroundPreinitializer {

	/** The list of class names, one per line, {@code #} for comments. */
	static final String CLASS_LIST = "META-INF/nacos-boot/client-classes.txt";

	/** System property that turns the preloading off (it runs before the application's properties exist). */
	public static final String IGNORE_PROPERTY = "spring.cloud.nacos.backgroundpreinitializer.ignore";

	@Override
	public void preinitialize() throws IOException {
		if (Boolean.getBoolean(IGNORE_PROPERTY)) {
			return;
		}
		ClassLoader classLoader = NacosClientClassesPreinitializer.class.getClassLoader();
		for (String name : classNames(classLoader)) {
			try {
				Class.forName(name, false, classLoader);
			}
			catch (ClassNotFoundException | LinkageError ex) {
				// Another nacos-client version: the main thread loads what it needs itself.
			}
		}
	}

	static List<String> classNames(ClassLoader classLoader) throws IOException {
		List<String> names = new ArrayList<>();
		try (InputStream in = classLoader.getResourceAsStream(CLASS_LIST)) {
			if (in == null) {
				return names;
			}
			BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				String name = line.strip();
				if (!name.isEmpty() && !name.startsWith("#")) {
					names.add(name);
				}
			}
		}
		return names;
	}

}
