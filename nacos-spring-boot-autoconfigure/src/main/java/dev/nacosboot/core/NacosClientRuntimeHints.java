package dev.nacosboot.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.naming.NamingService;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * What a native image needs beyond nacos-client's own {@code META-INF/native-image}
 * metadata: the client loads its gRPC payloads, ability managers and filters through
 * {@link java.util.ServiceLoader} and serialises payloads with Jackson, and its shipped
 * reflection metadata lists only part of the payloads of this client version; the starter
 * itself reads the naming client's connection state reflectively.
 *
 * @author Nacos Spring Boot team
 */
class NacosClientRuntimeHints implements RuntimeHintsRegistrar {

	/** Service files of the client, its shaded gRPC and Netty included. */
	static final String SERVICE_FILES = "META-INF/services/com.alibaba.nacos.*";

	static final String PAYLOAD_SERVICE_FILE = "META-INF/services/com.alibaba.nacos.api.remote.Payload";

	/** Read by the client's {@code VersionUtils} for the version it reports. */
	static final String VERSION_FILE = "nacos-version.txt";

	/**
	 * The naming client's internals that
	 * {@code dev.nacosboot.discovery.NamingConnectionState} reads to know whether the
	 * gRPC connection is up, which {@code getServerStatus()} would answer only with a
	 * request.
	 */
	static final String NAMING_SERVICE = "com.alibaba.nacos.client.naming.NacosNamingService";

	static final String NAMING_PROXY_DELEGATE = "com.alibaba.nacos.client.naming.remote.NamingClientProxyDelegate";

	static final String NAMING_GRPC_PROXY = "com.alibaba.nacos.client.naming.remote.gprc.NamingGrpcClientProxy";

	/**
	 * The config client's internals that
	 * {@code dev.nacosboot.actuate.NacosConfigConnection} reads to find its gRPC
	 * connections without waiting for them.
	 */
	static final String CONFIG_SERVICE = "com.alibaba.nacos.client.config.NacosConfigService";

	static final String CONFIG_WORKER = "com.alibaba.nacos.client.config.impl.ClientWorker";

	private final BindingReflectionHintsRegistrar bindingHints = new BindingReflectionHintsRegistrar();

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		if (!ClassUtils.isPresent(NAMING_SERVICE, classLoader)) {
			return;
		}
		hints.resources().registerPattern(VERSION_FILE);
		hints.resources().registerPattern(SERVICE_FILES);
		PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver(classLoader);
		for (Resource serviceFile : resources(resolver, "classpath*:" + SERVICE_FILES)) {
			boolean payloads = PAYLOAD_SERVICE_FILE.endsWith("/" + serviceFile.getFilename());
			for (String implementation : implementations(serviceFile)) {
				Class<?> type = load(implementation, classLoader);
				if (type == null) {
					continue;
				}
				if (payloads) {
					// Jackson creates and fills requests and responses from the wire.
					this.bindingHints.registerReflectionHints(hints.reflection(), type);
				}
				hints.reflection().registerType(type, MemberCategory.INVOKE_DECLARED_CONSTRUCTORS);
			}
		}
		// The NamingService and ConfigService beans are JDK proxies that create the
		// client at its first call (LazyClientProxy).
		hints.proxies().registerJdkProxy(AopProxyUtils.completeJdkProxyInterfaces(NamingService.class));
		hints.proxies().registerJdkProxy(AopProxyUtils.completeJdkProxyInterfaces(ConfigService.class));
		hints.reflection()
			.registerType(TypeReference.of(NAMING_SERVICE), (type) -> type.withField("clientProxy"))
			.registerType(TypeReference.of(NAMING_PROXY_DELEGATE), (type) -> type.withField("grpcClientProxy"))
			.registerType(TypeReference.of(NAMING_GRPC_PROXY), MemberCategory.INVOKE_PUBLIC_METHODS)
			.registerType(TypeReference.of(CONFIG_SERVICE), (type) -> type.withField("worker"))
			.registerType(TypeReference.of(CONFIG_WORKER), (type) -> type.withField("uuid"));
	}

	private static Resource[] resources(PathMatchingResourcePatternResolver resolver, String pattern) {
		try {
			return resolver.getResources(pattern);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not list " + pattern, ex);
		}
	}

	static Set<String> implementations(Resource serviceFile) {
		Set<String> names = new LinkedHashSet<>();
		try (InputStream in = serviceFile.getInputStream()) {
			for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
				int comment = line.indexOf('#');
				String name = ((comment >= 0) ? line.substring(0, comment) : line).trim();
				if (StringUtils.hasText(name)) {
					names.add(name);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not read " + serviceFile, ex);
		}
		return names;
	}

	private static @Nullable Class<?> load(String name, @Nullable ClassLoader classLoader) {
		try {
			return ClassUtils.forName(name, classLoader);
		}
		catch (ClassNotFoundException | LinkageError ex) {
			// An optional integration (e.g. BlockHound) whose library is absent.
			return null;
		}
	}

}
