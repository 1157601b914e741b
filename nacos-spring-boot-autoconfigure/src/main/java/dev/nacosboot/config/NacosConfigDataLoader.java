package dev.nacosboot.config;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.alibaba.nacos.api.config.ConfigQueryResult;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.client.config.impl.LocalConfigInfoProcessor;
import dev.nacosboot.core.NacosUnavailableException;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.config.ConfigData;
import org.springframework.boot.context.config.ConfigDataLoader;
import org.springframework.boot.context.config.ConfigDataLoaderContext;
import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.aot.AbstractAotProcessor;
import org.springframework.context.support.DefaultLifecycleProcessor;
import org.springframework.core.SpringProperties;
import org.springframework.core.env.PropertySource;
import org.springframework.util.DigestUtils;

/**
 * Loads one Nacos data id as a {@code PropertySource}. At startup it reads over the
 * server's HTTP client API, so that no gRPC client sits on the path to ready (the watcher
 * starts one once the application is ready); nacos-client reads instead where an HTTP
 * read would not give the same result (see {@link ClientEnvironment}) and when no server
 * answers over HTTP. When the server is unreachable the client's local snapshot is used
 * (with a warning naming the data id and the snapshot's age) unless
 * {@code spring.cloud.nacos.config.fail-fast=true}; a required data id without a snapshot
 * fails startup. While Spring AOT processes the application nothing is read. In a
 * training run ({@code spring.context.exit=onRefresh}, for a CDS archive or an AOT cache)
 * a required data id that cannot be read is left empty with a warning instead.
 */
public class NacosConfigDataLoader implements ConfigDataLoader<NacosConfigDataResource> {

	private final Log logger;

	public NacosConfigDataLoader(DeferredLogFactory logFactory) {
		this.logger = logFactory.getLog(NacosConfigDataLoader.class);
	}

	@Override
	public ConfigData load(ConfigDataLoaderContext context, NacosConfigDataResource resource)
			throws ConfigDataResourceNotFoundException {
		if (resource.getKind() == NacosConfigDataResource.Kind.DISABLED) {
			return ConfigData.EMPTY;
		}
		if (Boolean.getBoolean(AbstractAotProcessor.AOT_PROCESSING)) {
			// Build time: the values must come from the server the application runs
			// against.
			this.logger.info("Not reading " + resource + " while Spring AOT processes the application: Nacos"
					+ " config is read when the application runs");
			return new ConfigData(List.of(new NacosConfigPropertySource(resource, new LinkedHashMap<>())),
					options(resource));
		}
		NacosConfigBootstrap bootstrap = context.getBootstrapContext().get(NacosConfigBootstrap.class);
		ConfigurableApplicationContext applicationContext = bootstrap.applicationContext();
		if (applicationContext != null) {
			return loadAgain(bootstrap, applicationContext, resource);
		}
		// A failure here ends startup: NacosConfigStartupFailureListener closes the
		// clients.
		NacosConfigPropertySource source = load(bootstrap, resource);
		return new ConfigData(List.of(source), options(resource));
	}

	/**
	 * Spring Cloud's refresh runs the imports again ({@code ContextRefresher}): read each
	 * refreshable data id again through the client that loaded it at startup (never a new
	 * one, and no new listener) and decide as the in-place refresh would; a data id that
	 * is not refreshed keeps its source.
	 */
	private @Nullable ConfigData loadAgain(NacosConfigBootstrap bootstrap,
			ConfigurableApplicationContext applicationContext, NacosConfigDataResource resource) {
		NacosConfigSources.Loaded loaded = bootstrap.sources().find(resource);
		if (loaded == null) {
			this.logger.warn("Not loading " + resource + " on refresh: it was not imported at startup;"
					+ " restart the application to import it");
			return null;
		}
		PropertySource<?> live = applicationContext.getEnvironment()
			.getPropertySources()
			.get(loaded.propertySourceName());
		ConfigChangeApplier applier = applicationContext.getBeanProvider(ConfigChangeApplier.class).getIfAvailable();
		if (live == null) {
			return null;
		}
		// As loaded at startup: whether it refreshes does not change on a refresh.
		NacosConfigDataResource startup = loaded.resource();
		if (!startup.isRefresh() || applier == null) {
			return new ConfigData(List.of(live), options(startup));
		}
		ConfigQueryResult result;
		try {
			result = loaded.configService()
				.getConfigWithResult(resource.getDataId(), resource.getGroup(),
						bootstrap.config().getTimeout().toMillis());
		}
		catch (NacosException | RuntimeException ex) {
			this.logger.warn("Keeping " + resource + " as it is on refresh: it could not be read ("
					+ ((ex instanceof NacosException nacos) ? nacos.getErrMsg() : ex.getMessage()) + ")");
			return new ConfigData(List.of(live), options(startup));
		}
		PropertySource<?> source = applier.sourceForContextRefresh(loaded, result.getContent(), result.getConfigType());
		return (source != null) ? new ConfigData(List.of(source), options(startup)) : null;
	}

	/**
	 * As in Spring Cloud Alibaba: imports and profile settings inside a Nacos config are
	 * ignored, and {@code remote} is what Boot does for a profile-specific file: it ranks
	 * above the local profile-specific files.
	 */
	private static ConfigData.Option[] options(NacosConfigDataResource resource) {
		return (resource.getPreference() == NacosConfigPreference.REMOTE)
				? new ConfigData.Option[] { ConfigData.Option.IGNORE_IMPORTS, ConfigData.Option.IGNORE_PROFILES,
						ConfigData.Option.PROFILE_SPECIFIC }
				: new ConfigData.Option[] { ConfigData.Option.IGNORE_IMPORTS, ConfigData.Option.IGNORE_PROFILES };
	}

	private NacosConfigPropertySource load(NacosConfigBootstrap bootstrap, NacosConfigDataResource resource)
			throws ConfigDataResourceNotFoundException {
		String clientOnly = bootstrap.clientOnlyReason();
		if (clientOnly == null) {
			clientOnly = ClientEnvironment.clientOnlyReason(resource.getDataId());
		}
		if (clientOnly == null) {
			NacosConfigHttpReader.Result result = bootstrap.httpReader()
				.read(resource.getDataId(), resource.getGroup(), resource.getNamespace());
			NacosConfigSources.ClientSource client = bootstrap.clientSource(resource.getNamespace());
			if (result instanceof NacosConfigHttpReader.Result.Found found) {
				this.logger.debug("Read " + resource + " over HTTP");
				return loaded(bootstrap, resource, client, found.content(), found.type());
			}
			if (result instanceof NacosConfigHttpReader.Result.NotFound) {
				return loaded(bootstrap, resource, client, null, null);
			}
			if (result instanceof NacosConfigHttpReader.Result.Refused refused) {
				return refused(bootstrap, resource, client, refused.message(), null);
			}
			clientOnly = (result instanceof NacosConfigHttpReader.Result.Unanswered unanswered)
					? "no server answered over HTTP: " + unanswered.failures()
					: ((NacosConfigHttpReader.Result.Unsupported) result).reason();
		}
		this.logger.debug("Reading " + resource + " through nacos-client: " + clientOnly);
		return loadThroughClient(bootstrap, resource);
	}

	/**
	 * The read nacos-client makes (over gRPC), with its local failover and snapshot
	 * files: for what an HTTP read does not do, and when no server answers.
	 */
	private NacosConfigPropertySource loadThroughClient(NacosConfigBootstrap bootstrap,
			NacosConfigDataResource resource) throws ConfigDataResourceNotFoundException {
		NacosConfigProperties config = bootstrap.config();
		ConfigService service = bootstrap.configService(resource.getNamespace());
		NacosConfigSources.ClientSource client = NacosConfigSources.ClientSource.of(service);
		String server = bootstrap.describeServer();
		boolean reachable = bootstrap.isReachable(service);
		if (!reachable && config.isFailFast() && !isTrainingRun()) {
			throw new NacosUnavailableException(
					"Could not load " + resource + ": the Nacos server is unreachable"
							+ " and spring.cloud.nacos.config.fail-fast=true refuses the local snapshot",
					server, NacosConfigProperties.PREFIX + ".fail-fast",
					new IllegalStateException("config client status is DOWN"));
		}
		ConfigQueryResult result;
		try {
			result = service.getConfigWithResult(resource.getDataId(), resource.getGroup(),
					config.getTimeout().toMillis());
		}
		catch (NacosException ex) {
			return refused(bootstrap, resource, client, ex.getErrMsg(), ex);
		}
		String content = result.getContent();
		if (!reachable) {
			if (content != null) {
				this.logger.warn("Nacos at " + server + " is unreachable: using the local snapshot of " + resource
						+ snapshotAge(resource, server) + "; it refreshes once the server is back");
			}
			else if (failsStartup(resource)) {
				throw new NacosConfigLoadException(resource,
						"the Nacos server at " + server + " is unreachable and there is no local snapshot of it",
						"Start Nacos or fix spring.cloud.nacos.server-addr; or make the import optional ('optional:nacos:"
								+ resource.getDataId()
								+ "') to start without it and pick it up once the server is reachable.",
						null);
			}
			else {
				this.logger.warn("Nacos at " + server + " is unreachable: starting without " + resource
						+ "; it is loaded once the server is reachable" + trainingNote(resource));
				return empty(bootstrap, resource, client);
			}
		}
		return loaded(bootstrap, resource, client, content, result.getConfigType());
	}

	/**
	 * The source of a data id read from the server (or a snapshot), recorded for the
	 * watcher.
	 * @param content the content, {@code null} when the data id does not exist
	 * @param storedType the type stored with it, if any
	 */
	private NacosConfigPropertySource loaded(NacosConfigBootstrap bootstrap, NacosConfigDataResource resource,
			NacosConfigSources.ClientSource client, @Nullable String content, @Nullable String storedType)
			throws ConfigDataResourceNotFoundException {
		NacosConfigProperties config = bootstrap.config();
		if (content == null) {
			if (failsStartup(resource)) {
				throw new ConfigDataResourceNotFoundException(resource);
			}
			if (resource.isRequired()) {
				this.logger.warn(resource + " does not exist: starting without it" + trainingNote(resource));
			}
			return empty(bootstrap, resource, client);
		}
		try {
			NacosConfigFormat format = NacosConfigFormat.of(resource.getDataId(), storedType,
					config.getFileExtension());
			if (content.isBlank()) {
				throw new NacosConfigFormatException(resource.getDataId(), format, null, "the content is empty", null);
			}
			Map<String, Object> properties = format.parse(resource.getDataId(), content);
			bootstrap.sources()
				.add(new NacosConfigSources.Loaded(resource, client, format, bootstrap.describeServer(), md5(content)));
			return new NacosConfigPropertySource(resource, properties);
		}
		catch (NacosConfigFormatException ex) {
			if (resource.isRequired()) {
				throw new NacosConfigLoadException(resource, ex.getMessage(), "Fix the content of '"
						+ resource.getDataId()
						+ "' in Nacos, or make the import optional with 'optional:nacos:...' to start without it.", ex);
			}
			this.logger.error("Ignoring " + resource + ": " + ex.getMessage());
			return empty(bootstrap, resource, client);
		}
	}

	/** The server refused the read: an auth error. */
	private NacosConfigPropertySource refused(NacosConfigBootstrap bootstrap, NacosConfigDataResource resource,
			NacosConfigSources.ClientSource client, String message, @Nullable Throwable cause) {
		if (failsStartup(resource)) {
			throw new NacosConfigLoadException(resource, "the server refused the read: " + message,
					"Check the credentials (spring.cloud.nacos.username/password) and their rights on the namespace, or make the import optional with 'optional:nacos:...'.",
					cause);
		}
		this.logger.warn("Starting without " + resource + ": " + message + trainingNote(resource));
		return empty(bootstrap, resource, client);
	}

	/**
	 * Whether a required data id that cannot be read (no server answers, the read is
	 * refused, or it does not exist) ends startup: yes, except in a training run. That
	 * run only records the classes the application loads, for a CDS archive or the JVM's
	 * AOT cache, and exits once the context is refreshed; it often runs where Nacos or
	 * its credentials are out of reach, such as an image build. Malformed content still
	 * ends it: it would end the real start too.
	 */
	private static boolean failsStartup(NacosConfigDataResource resource) {
		return resource.isRequired() && !isTrainingRun();
	}

	private static String trainingNote(NacosConfigDataResource resource) {
		return (resource.isRequired() && isTrainingRun())
				? " (required, but this is a training run: spring.context.exit=onRefresh)" : "";
	}

	/**
	 * Whether this JVM is a training run: Spring's {@code spring.context.exit=onRefresh},
	 * a system property or an entry of {@code spring.properties}, in any case as Spring
	 * reads it.
	 */
	private static boolean isTrainingRun() {
		return DefaultLifecycleProcessor.ON_REFRESH_VALUE
			.equalsIgnoreCase(SpringProperties.getProperty(DefaultLifecycleProcessor.EXIT_PROPERTY_NAME));
	}

	/**
	 * An empty source that holds the place of a data id that is missing or unreadable
	 * now, so that it is applied in place once it appears.
	 */
	private NacosConfigPropertySource empty(NacosConfigBootstrap bootstrap, NacosConfigDataResource resource,
			NacosConfigSources.ClientSource client) {
		NacosConfigFormat format;
		try {
			format = NacosConfigFormat.of(resource.getDataId(), null, bootstrap.config().getFileExtension());
		}
		catch (NacosConfigFormatException ex) {
			// Unknown until content arrives with its stored type: never guessed, so that
			// content of another format is refused rather than misread.
			format = null;
		}
		bootstrap.sources()
			.add(new NacosConfigSources.Loaded(resource, client, format, bootstrap.describeServer(), null));
		return new NacosConfigPropertySource(resource, new LinkedHashMap<>());
	}

	static String md5(String content) {
		return DigestUtils.md5DigestAsHex(content.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * The age of the client's snapshot of the data id, best effort (the client names its
	 * directories itself).
	 */
	private static String snapshotAge(NacosConfigDataResource resource, String server) {
		File root = new File(LocalConfigInfoProcessor.LOCAL_SNAPSHOT_PATH);
		File[] environments = root.listFiles((dir, name) -> name.endsWith("_nacos"));
		if (environments == null) {
			return "";
		}
		String serverHint = server.split(",")[0].replaceAll("^https?://", "").replace(':', '_');
		Optional<File> snapshot = Arrays.stream(environments)
			.filter((dir) -> dir.getName().contains(serverHint))
			.map((dir) -> snapshotFile(dir, resource))
			.filter(File::isFile)
			.max((a, b) -> Long.compare(a.lastModified(), b.lastModified()));
		return snapshot
			.map((file) -> " taken " + human(Duration.ofMillis(System.currentTimeMillis() - file.lastModified()))
					+ " ago (" + file + ")")
			.orElse("");
	}

	private static File snapshotFile(File environment, NacosConfigDataResource resource) {
		// The client files the public namespace as tenant "public" or as no tenant,
		// depending on how it was named.
		String tenant = (resource.getNamespace() != null) ? resource.getNamespace() : "public";
		File withTenant = new File(new File(new File(environment, "snapshot-tenant"), tenant), resource.getGroup());
		File file = new File(withTenant, resource.getDataId());
		if (file.isFile() || resource.getNamespace() != null) {
			return file;
		}
		return new File(new File(new File(environment, "snapshot"), resource.getGroup()), resource.getDataId());
	}

	private static String human(Duration age) {
		if (age.toDays() > 0) {
			return age.toDays() + "d " + age.toHoursPart() + "h";
		}
		if (age.toHours() > 0) {
			return age.toHours() + "h " + age.toMinutesPart() + "min";
		}
		return (age.toMinutes() > 0) ? age.toMinutes() + "min " + age.toSecondsPart() + "s" : age.toSeconds() + "s";
	}

	static @Nullable String md5OrNull(@Nullable String content) {
		return (content != null) ? md5(content) : null;
	}

}
