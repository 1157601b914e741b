package dev.nacosboot.config;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import com.alibaba.nacos.api.exception.NacosException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.ConfigurationPropertiesBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.bind.handler.IgnoreErrorsBindHandler;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.context.properties.ConfigurationPropertiesRebinder;
import org.springframework.cloud.context.scope.refresh.RefreshScope;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.util.PropertyPlaceholderHelper;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

/**
 * Applies new content of one Nacos config to the running application, in place: parses
 * it, swaps only that data id's {@code PropertySource}, computes the keys whose effective
 * value changed (a change shadowed by a higher source changes nothing), rebinds only the
 * affected {@code @ConfigurationProperties} beans, updates {@code @Value} members,
 * refreshes {@code @RefreshScope} beans and publishes one {@link EnvironmentChangeEvent}
 * and one {@link NacosConfigRefreshedEvent}. Invalid content, and content that would bind
 * invalid values into a {@code @Validated} bean, leave everything as it was and are
 * recorded. Applies one change at a time.
 */
class ConfigChangeApplier {

	private static final Log logger = LogFactory.getLog(ConfigChangeApplier.class);

	private static final String ATTACHED_SOURCE = "configurationProperties";

	private static final PropertyPlaceholderHelper PLACEHOLDERS = new PropertyPlaceholderHelper("${", "}", ":", '\\',
			true);

	private final ConfigurableApplicationContext context;

	private final NacosConfigRefreshHistory history;

	private final ObjectProvider<ConfigurationPropertiesRebinder> rebinder;

	private final ObjectProvider<RefreshScope> refreshScope;

	private final ObjectProvider<NacosRefreshScope> ownRefreshScope;

	private final ObjectProvider<ValueInjectionRefresher> values;

	ConfigChangeApplier(ConfigurableApplicationContext context, NacosConfigRefreshHistory history,
			ObjectProvider<ConfigurationPropertiesRebinder> rebinder, ObjectProvider<RefreshScope> refreshScope,
			ObjectProvider<NacosRefreshScope> ownRefreshScope, ObjectProvider<ValueInjectionRefresher> values) {
		this.context = context;
		this.history = history;
		this.rebinder = rebinder;
		this.refreshScope = refreshScope;
		this.ownRefreshScope = ownRefreshScope;
		this.values = values;
	}

	/**
	 * Applies the content a listener received.
	 * @param config the loaded config
	 * @param content its new content ({@code null} or empty when it was removed)
	 * @return the changed keys (empty when nothing changed or the change was refused)
	 */
	public synchronized Set<String> apply(NacosConfigSources.Loaded config, @Nullable String content) {
		long start = System.nanoTime();
		Candidate candidate = candidate(config, content, null, start);
		if (candidate == null) {
			return Set.of();
		}
		NacosConfigDataResource resource = config.resource();
		MutablePropertySources live = this.context.getEnvironment().getPropertySources();
		live.replace(config.propertySourceName(), candidate.source());
		config.md5(candidate.md5());
		config.applied();
		back(config);
		Set<String> changed = candidate.changed();
		List<String> valueProblems = List.of();
		if (!changed.isEmpty()) {
			ConfigurationPropertiesRebinder rebinder = this.rebinder.getIfAvailable();
			if (rebinder != null) {
				candidate.affected().forEach((bean) -> rebinder.rebind(bean.getName()));
			}
			ValueInjectionRefresher values = this.values.getIfAvailable();
			if (values != null) {
				valueProblems = values.refresh(changed);
			}
			RefreshScope refreshScope = this.refreshScope.getIfAvailable();
			if (refreshScope != null) {
				refreshScope.refreshAll();
			}
			this.ownRefreshScope.ifAvailable(NacosRefreshScope::refreshAll);
			// Our own source, not the context: the rebinder would otherwise rebind every
			// bean again.
			this.context.publishEvent(new EnvironmentChangeEvent(this, Set.copyOf(changed)));
		}
		this.context.publishEvent(new NacosConfigRefreshedEvent(this, resource.getDataId(), resource.getGroup(),
				resource.getNamespace(), changed, candidate.md5()));
		record(config, candidate.md5(), changed, start,
				candidate.deleted() ? NacosConfigRefreshHistory.Outcome.REMOVED
						: NacosConfigRefreshHistory.Outcome.APPLIED,
				valueProblems.isEmpty() ? null : String.join("; ", valueProblems));
		logger.info((candidate.deleted()
				? "Removed the keys of " + candidate.resourceDescription() + ", deleted on the server: "
				: "Applied a change of " + candidate.resourceDescription() + ": ")
				+ (changed.isEmpty() ? "no effective change" : "changed keys " + changed));
		return changed;
	}

	/**
	 * The source that Spring Cloud's refresh ({@code ContextRefresher}) is to put in the
	 * {@code Environment} for a data id it read again: the new content when the in-place
	 * refresh would apply it, else the live source (refused, unchanged or kept while
	 * deleted), with the same checks, records and logs as {@link #apply}. The new source
	 * is remembered until the refresh has swapped it in (see
	 * {@link NacosContextRefreshListener}).
	 * @param config the loaded config
	 * @param content the content just read ({@code null} when deleted)
	 * @param storedType the type stored with it, if known
	 * @return the source the refreshed {@code Environment} holds for this data id, or
	 * {@code null} when it is no longer in the {@code Environment}
	 */
	synchronized @Nullable PropertySource<?> sourceForContextRefresh(NacosConfigSources.Loaded config,
			@Nullable String content, @Nullable String storedType) {
		PropertySource<?> live = this.context.getEnvironment().getPropertySources().get(config.propertySourceName());
		if (live == null) {
			return null;
		}
		long start = System.nanoTime();
		Candidate candidate = candidate(config, content, storedType, start);
		if (candidate == null) {
			return live;
		}
		config.pending(new NacosConfigSources.Pending(candidate.source(), candidate.md5(), config.appliedCount()));
		record(config, candidate.md5(), candidate.changed(), start, candidate.deleted()
				? NacosConfigRefreshHistory.Outcome.REMOVED : NacosConfigRefreshHistory.Outcome.APPLIED, null);
		return candidate.source();
	}

	/**
	 * Once Spring Cloud's refresh has swapped in what it read again: remembers the md5 of
	 * what the {@code Environment} now holds, so that the same content is not applied
	 * again, and tells which data ids it overwrote with older content than the in-place
	 * refresh had applied meanwhile.
	 * @param sources the loaded configs
	 * @return the configs to read again
	 */
	synchronized List<NacosConfigSources.Loaded> contextRefreshed(NacosConfigSources sources) {
		MutablePropertySources live = this.context.getEnvironment().getPropertySources();
		List<NacosConfigSources.Loaded> overtaken = new ArrayList<>();
		for (NacosConfigSources.Loaded config : sources.all()) {
			NacosConfigSources.Pending pending = config.pending();
			if (pending == null) {
				continue;
			}
			config.pending(null);
			if (live.get(config.propertySourceName()) != pending.source()) {
				continue;
			}
			config.md5(pending.md5());
			if (config.appliedCount() != pending.appliedCountWhenRead()) {
				overtaken.add(config);
			}
		}
		return overtaken;
	}

	/**
	 * What the {@code Environment} would hold after this content, checked: {@code null}
	 * when nothing is to change (same content, refused content, a required data id kept
	 * while deleted), each case logged and recorded.
	 */
	private @Nullable Candidate candidate(NacosConfigSources.Loaded config, @Nullable String content,
			@Nullable String storedType, long start) {
		NacosConfigDataResource resource = config.resource();
		// Nacos refuses to store empty content: none means the data id was deleted.
		boolean deleted = content == null || content.isEmpty();
		String md5 = NacosConfigDataLoader.md5(deleted ? "" : content);
		if (md5.equals(config.md5())) {
			if (config.missingSince() != null) {
				back(config);
				record(config, md5, Set.of(), start, NacosConfigRefreshHistory.Outcome.APPLIED, null);
			}
			return null;
		}
		MutablePropertySources live = this.context.getEnvironment().getPropertySources();
		String name = config.propertySourceName();
		PropertySource<?> old = live.get(name);
		if (old == null) {
			logger.warn("Ignoring a change of " + resource + ": its property source '" + name
					+ "' is no longer in the Environment");
			return null;
		}
		if (deleted && resource.isRequired()) {
			keepLastGoodValues(config, md5, start);
			return null;
		}
		Map<String, Object> properties;
		if (deleted) {
			// What a restart would load: the import is optional, so its keys go away.
			properties = Map.of();
		}
		else {
			try {
				properties = parse(config, content, storedType);
			}
			catch (NacosConfigFormatException ex) {
				logger.error("Keeping the last good content of " + resource + ": " + ex.getMessage());
				record(config, md5, Set.of(), start, NacosConfigRefreshHistory.Outcome.INVALID, ex.getMessage());
				return null;
			}
		}
		NacosConfigPropertySource source = new NacosConfigPropertySource(resource, properties);
		Set<String> keys = new TreeSet<>(properties.keySet());
		if (old instanceof EnumerablePropertySource<?> enumerable) {
			keys.addAll(List.of(enumerable.getPropertyNames()));
		}
		MutablePropertySources trial = new MutablePropertySources(live);
		trial.replace(name, source);
		Set<String> changed = new LinkedHashSet<>();
		for (String key : keys) {
			if (!Objects.equals(effectiveValue(live, key), effectiveValue(trial, key))) {
				changed.add(key);
			}
		}
		if (!changed.isEmpty()) {
			changed.addAll(placeholderDependents(trial, changed));
		}
		List<ConfigurationPropertiesBean> affected = affectedBeans(changed);
		String invalid = validate(trial, affected);
		if (invalid != null) {
			logger.error("Rolled back the change of " + resource + ": " + invalid);
			record(config, md5, Set.of(), start, NacosConfigRefreshHistory.Outcome.ROLLED_BACK, invalid);
			return null;
		}
		return new Candidate(resource.toString(), source, md5, deleted, changed, affected);
	}

	private static void back(NacosConfigSources.Loaded config) {
		if (config.missingSince() != null) {
			config.missingSince(null);
			logger.info(config.resource() + " is back on the server");
		}
	}

	/**
	 * A required data id deleted on the server: a restart would fail, so the running
	 * application keeps what it has, says so once, and shows it until the data id is
	 * back.
	 */
	private void keepLastGoodValues(NacosConfigSources.Loaded config, String md5, long start) {
		if (config.missingSince() != null) {
			return;
		}
		config.missingSince(Instant.now());
		String message = config.resource() + " was deleted on the server: keeping its last good values until it"
				+ " is published again (the import is required, so a restart would fail)";
		logger.warn(message);
		record(config, md5, Set.of(), start, NacosConfigRefreshHistory.Outcome.MISSING, message);
	}

	private Map<String, Object> parse(NacosConfigSources.Loaded config, String content, @Nullable String storedType) {
		NacosConfigDataResource resource = config.resource();
		NacosConfigFormat format = config.format();
		if (format == null) {
			format = NacosConfigFormat.of(resource.getDataId(), (storedType != null) ? storedType : storedType(config),
					"");
			config.format(format);
		}
		if (content.isBlank()) {
			throw new NacosConfigFormatException(resource.getDataId(), format, null, "the content is empty", null);
		}
		return format.parse(resource.getDataId(), content);
	}

	/**
	 * The type stored with the config, asked only when neither the data id nor its
	 * absence at startup told the format.
	 */
	private static @Nullable String storedType(NacosConfigSources.Loaded config) {
		try {
			return config.configService()
				.getConfigWithResult(config.resource().getDataId(), config.resource().getGroup(), 3000)
				.getConfigType();
		}
		catch (NacosException | RuntimeException ex) {
			logger.debug("Could not read the type of " + config.resource(), ex);
			return null;
		}
	}

	/**
	 * The keys whose value refers to a changed key through a placeholder ({@code a: ${b}}
	 * when {@code b} changed), transitively: their resolved value changed too.
	 */
	static Set<String> placeholderDependents(MutablePropertySources sources, Set<String> changed) {
		Map<String, Set<String>> references = new java.util.HashMap<>();
		for (PropertySource<?> source : sources) {
			if (ATTACHED_SOURCE.equals(source.getName()) || !(source instanceof EnumerablePropertySource<?> names)) {
				continue;
			}
			for (String name : names.getPropertyNames()) {
				if (!references.containsKey(name) && source.getProperty(name) instanceof String value
						&& value.contains("${")) {
					Set<String> keys = new LinkedHashSet<>();
					PLACEHOLDERS.replacePlaceholders(value, (key) -> {
						keys.add(key);
						return null;
					});
					references.put(name, keys);
				}
			}
		}
		Set<String> dependents = new LinkedHashSet<>();
		Set<String> reached = new LinkedHashSet<>(changed);
		boolean grew = true;
		while (grew) {
			grew = false;
			for (Map.Entry<String, Set<String>> entry : references.entrySet()) {
				if (!reached.contains(entry.getKey())
						&& entry.getValue().stream().anyMatch((key) -> refersTo(key, reached))) {
					reached.add(entry.getKey());
					dependents.add(entry.getKey());
					grew = true;
				}
			}
		}
		return dependents;
	}

	private static boolean refersTo(String key, Set<String> keys) {
		if (keys.contains(key)) {
			return true;
		}
		ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
		return keys.stream().anyMatch((candidate) -> ConfigurationPropertyName.adapt(candidate, '.').equals(name));
	}

	/** The raw value that wins for a key, honouring the order of the sources. */
	private static @Nullable Object effectiveValue(MutablePropertySources sources, String key) {
		for (PropertySource<?> source : sources) {
			if (ATTACHED_SOURCE.equals(source.getName())) {
				continue;
			}
			if (source.containsProperty(key)) {
				return source.getProperty(key);
			}
		}
		return null;
	}

	private List<ConfigurationPropertiesBean> affectedBeans(Set<String> changed) {
		if (changed.isEmpty()) {
			return List.of();
		}
		List<ConfigurationPropertyName> names = new ArrayList<>();
		for (String key : changed) {
			ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
			if (!name.isEmpty()) {
				names.add(name);
			}
		}
		List<ConfigurationPropertiesBean> affected = new ArrayList<>();
		for (ConfigurationPropertiesBean bean : ConfigurationPropertiesBean.getAll(this.context).values()) {
			String prefix = bean.getAnnotation().prefix();
			ConfigurationPropertyName beanName = ConfigurationPropertyName.of(prefix);
			if (names.stream()
				.anyMatch((name) -> beanName.isEmpty() || beanName.equals(name) || beanName.isAncestorOf(name)
						|| name.isAncestorOf(beanName))) {
				affected.add(bean);
			}
		}
		return affected;
	}

	/**
	 * Binds each affected bean's type afresh from the trial sources with the checks
	 * Spring Boot's own binding applies (the {@code configurationPropertiesValidator}
	 * bean, Bean Validation for a {@code @Validated} type, a type that is a
	 * {@link Validator} itself, and the annotation's ignore settings), so that a change
	 * no bean can take is refused before any bean sees it.
	 */
	private @Nullable String validate(MutablePropertySources trial, List<ConfigurationPropertiesBean> affected) {
		if (affected.isEmpty()) {
			return null;
		}
		Binder binder = new Binder(ConfigurationPropertySources.from(trial),
				new PropertySourcesPlaceholdersResolver(trial), ApplicationConversionService.getSharedInstance());
		for (ConfigurationPropertiesBean bean : affected) {
			Bindable<?> live = bean.asBindTarget();
			Bindable<?> target = Bindable.of(live.getType()).withAnnotations(live.getAnnotations());
			try {
				binder.bind(bean.getAnnotation().prefix(), target, bindHandler(bean, target));
			}
			catch (BindException ex) {
				return "bean '" + bean.getName() + "' (" + bean.getAnnotation().prefix() + ") cannot take it: "
						+ rootMessage(ex);
			}
			catch (RuntimeException ex) {
				// A type we cannot instantiate for a trial bind: let the real rebind
				// decide.
				logger.debug("Could not trial-bind " + bean.getName(), ex);
			}
		}
		return null;
	}

	private BindHandler bindHandler(ConfigurationPropertiesBean bean, Bindable<?> target) {
		BindHandler handler = BindHandler.DEFAULT;
		ConfigurationProperties annotation = bean.getAnnotation();
		if (annotation.ignoreInvalidFields()) {
			handler = new IgnoreErrorsBindHandler(handler);
		}
		if (!annotation.ignoreUnknownFields()) {
			handler = new NoUnboundElementsBindHandler(handler);
		}
		List<Validator> validators = validators(target);
		return validators.isEmpty() ? handler
				: new ValidationBindHandler(handler, validators.toArray(Validator[]::new));
	}

	private List<Validator> validators(Bindable<?> target) {
		List<Validator> validators = new ArrayList<>();
		if (this.context.containsBean(EnableConfigurationProperties.VALIDATOR_BEAN_NAME)) {
			validators.add(this.context.getBean(EnableConfigurationProperties.VALIDATOR_BEAN_NAME, Validator.class));
		}
		if (target.getAnnotation(Validated.class) != null) {
			Validator beanValidation = beanValidation();
			if (beanValidation != null) {
				validators.add(beanValidation);
			}
		}
		Class<?> type = target.getType().resolve();
		if (type != null && Validator.class.isAssignableFrom(type)) {
			validators.add(SELF_VALIDATION);
		}
		return validators;
	}

	private @Nullable Validator beanValidation() {
		if (this.context.containsBean("defaultValidator")
				&& this.context.getBean("defaultValidator") instanceof Validator validator) {
			return validator;
		}
		return this.context.getBeanProvider(Validator.class).getIfUnique();
	}

	/** A type that is its own {@link Validator} checks what was bound, as Boot does. */
	private static final Validator SELF_VALIDATION = new Validator() {

		@Override
		public boolean supports(Class<?> type) {
			return Validator.class.isAssignableFrom(type);
		}

		@Override
		public void validate(Object target, Errors errors) {
			((Validator) target).validate(target, errors);
		}

	};

	private static String rootMessage(Throwable ex) {
		StringBuilder message = new StringBuilder();
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (cause.getMessage() != null) {
				message.setLength(0);
				message.append(cause.getMessage().strip().replaceAll("\\s*\\n\\s*", " "));
			}
		}
		return message.toString();
	}

	/**
	 * A checked change, ready to be swapped in.
	 *
	 * @param resourceDescription the data id, for logs
	 * @param source the new source
	 * @param md5 md5 of its content
	 * @param deleted whether the data id was deleted
	 * @param changed the keys whose effective value changes
	 * @param affected the beans bound to those keys
	 */
	private record Candidate(String resourceDescription, NacosConfigPropertySource source, String md5, boolean deleted,
			Set<String> changed, List<ConfigurationPropertiesBean> affected) {
	}

	private void record(NacosConfigSources.Loaded config, String md5, Set<String> changed, long start,
			NacosConfigRefreshHistory.Outcome outcome, @Nullable String error) {
		NacosConfigDataResource resource = config.resource();
		this.history.record(new NacosConfigRefreshHistory.Refresh(config.propertySourceName(), resource.getDataId(),
				resource.getGroup(), md5, Set.copyOf(changed), Duration.ofNanos(System.nanoTime() - start), outcome,
				error, Instant.now()));
	}

}
