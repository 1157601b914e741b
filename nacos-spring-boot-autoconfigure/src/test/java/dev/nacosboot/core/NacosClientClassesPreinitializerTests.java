package dev.nacosboot.core;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.preinitialize.BackgroundPreinitializer;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

class NacosClientClassesPreinitializerTests {

	private final ClassLoader classLoader = getClass().getClassLoader();

	@Test
	void listShouldNameClassesOfThisNacosClientVersion() throws Exception {
		List<String> names = NacosClientClassesPreinitializer.classNames(this.classLoader);
		List<String> missing = new ArrayList<>();
		for (String name : names) {
			try {
				Class.forName(name, false, this.classLoader);
			}
			catch (ClassNotFoundException ex) {
				missing.add(name);
			}
		}
		assertThat(names).hasSizeGreaterThan(1000).contains("com.alibaba.nacos.api.NacosFactory",
				"com.alibaba.nacos.client.naming.NacosNamingService", "com.alibaba.nacos.client.config.NacosConfigService");
		assertThat(missing).as("classes of the list that nacos-client no longer has: regenerate %s",
				NacosClientClassesPreinitializer.CLASS_LIST).isEmpty();
	}

	@Test
	void preinitializerShouldBeRegisteredFirstWithSpringBoot() {
		List<BackgroundPreinitializer> preinitializers = SpringFactoriesLoader.forDefaultResourceLocation(this.classLoader)
			.load(BackgroundPreinitializer.class);
		assertThat(preinitializers).first().isInstanceOf(NacosClientClassesPreinitializer.class);
	}

	@Test
	void preinitializeShouldLoadTheListedClassesIntoItsOwnClassLoader() throws Exception {
		URL[] classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
			.map((entry) -> {
				try {
					return new File(entry).toURI().toURL();
				}
				catch (MalformedURLException ex) {
					throw new IllegalStateException(ex);
				}
			})
			.toArray(URL[]::new);
		try (IsolatedClassLoader isolated = new IsolatedClassLoader(classPath)) {
			Class<?> preinitializer = isolated.loadClass(NacosClientClassesPreinitializer.class.getName());
			assertThat(isolated.isLoaded("com.alibaba.nacos.client.naming.NacosNamingService")).isFalse();
			preinitializer.getMethod("preinitialize").invoke(preinitializer.getConstructor().newInstance());
			assertThat(isolated.isLoaded("com.alibaba.nacos.client.naming.NacosNamingService")).isTrue();
			assertThat(isolated.isLoaded("com.alibaba.nacos.shaded.io.grpc.ManagedChannel")).isTrue();
		}
	}

	/** Loads the class path itself, so that what it loaded can be asked. */
	private static final class IsolatedClassLoader extends URLClassLoader {

		IsolatedClassLoader(URL[] urls) {
			super(urls, ClassLoader.getPlatformClassLoader());
		}

		boolean isLoaded(String name) {
			return findLoadedClass(name) != null;
		}

	}

}
