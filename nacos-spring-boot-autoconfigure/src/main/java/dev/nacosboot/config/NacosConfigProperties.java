package dev.nacosboot.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.nacosboot.core.NacosConnectionProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.DeprecatedConfigurationProperty;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Settings of Nacos config ({@code spring.cloud.nacos.config.*}). Connection settings
 * left unset here fall back to the shared ones under {@code spring.cloud.nacos.*}.
 * Validated wherever it is bound (the import at startup, the bean, a refresh's trial
 * bind) through {@link Validator}.
 */
@ConfigurationProperties(NacosConfigProperties.PREFIX)
public class NacosConfigProperties extends NacosConnectionProperties implements Validator {

	/** Prefix of the config settings. */
	public static final String PREFIX = "spring.cloud.nacos.config";

	/** Group used when an import or an entry names none, as in Nacos. */
	public static final String DEFAULT_GROUP = "DEFAULT_GROUP";

	/**
	 * Whether to load config from Nacos through "nacos:" imports and to refresh it.
	 */
	private boolean enabled = true;

	/**
	 * Group of the imported data ids when an import names none.
	 */
	private String group = DEFAULT_GROUP;

	/**
	 * Data id stem of a bare "nacos:" import; unset uses spring.application.name.
	 */
	private @Nullable String prefix;

	/**
	 * Extension (format) of the data ids that a bare "nacos:" import derives, and the
	 * format of data ids whose name and type tell none: properties, yaml, yml, json or
	 * xml.
	 */
	private String fileExtension = "properties";

	/**
	 * Whether imported data ids are refreshed on change when the import does not say.
	 */
	private boolean refreshEnabled = true;

	/**
	 * Whether startup fails when the server is unreachable instead of using the client's
	 * local snapshot.
	 */
	private boolean failFast;

	/**
	 * Timeout of one config read at startup.
	 */
	private Duration timeout = Duration.ofSeconds(3);

	/**
	 * Where Nacos config ranks against local config files when an import does not say:
	 * "local" (above the file that imports it, below profile-specific local files),
	 * "remote" (above every local config file) or "local-first" (below every local config
	 * file).
	 */
	private NacosConfigPreference preference = NacosConfigPreference.LOCAL;

	/**
	 * Whether every Nacos config ranks below the local config files.
	 */
	private boolean localFirst;

	/**
	 * Charset of config content the client declares to the server; unset keeps the
	 * client's default (UTF-8).
	 */
	private @Nullable String encode;

	/**
	 * Retries of a failed config request by the client; unset keeps the client's default
	 * (3).
	 */
	private @Nullable Integer maxRetry;

	/**
	 * Whether the client reads a config from the server when a listener is added instead
	 * of trusting its cache.
	 */
	private boolean enableRemoteSyncConfig;

	/**
	 * Name of the server cluster that the address server ('endpoint') lists.
	 */
	private @Nullable String clusterName;

	/**
	 * RAM role of Alibaba Cloud's authentication, used with 'access-key'/'secret-key'
	 * unset.
	 */
	private @Nullable String ramRoleName;

	private final ImportCheck importCheck = new ImportCheck();

	/**
	 * Data ids shared by several applications, loaded with the lowest precedence (a later
	 * entry wins over an earlier one).
	 */
	private List<ConfigEntry> sharedConfigs = new ArrayList<>();

	/**
	 * Additional data ids of this application, with precedence over the shared ones and
	 * below the application's own data ids (a later entry wins over an earlier one).
	 */
	private List<ConfigEntry> extensionConfigs = new ArrayList<>();

	private final Refresh refresh = new Refresh();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getGroup() {
		return this.group;
	}

	public void setGroup(String group) {
		this.group = group;
	}

	public @Nullable String getPrefix() {
		return this.prefix;
	}

	public void setPrefix(@Nullable String prefix) {
		this.prefix = prefix;
	}

	public String getFileExtension() {
		return this.fileExtension;
	}

	public void setFileExtension(String fileExtension) {
		this.fileExtension = fileExtension;
	}

	public boolean isRefreshEnabled() {
		return this.refreshEnabled;
	}

	public void setRefreshEnabled(boolean refreshEnabled) {
		this.refreshEnabled = refreshEnabled;
	}

	public boolean isFailFast() {
		return this.failFast;
	}

	public void setFailFast(boolean failFast) {
		this.failFast = failFast;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	public NacosConfigPreference getPreference() {
		return this.preference;
	}

	public void setPreference(NacosConfigPreference preference) {
		this.preference = preference;
	}

	@Deprecated(since = "0.1.0")
	@DeprecatedConfigurationProperty(replacement = "spring.cloud.nacos.config.preference",
			reason = "local-first is one of the preferences: set preference: local-first")
	public boolean isLocalFirst() {
		return this.localFirst;
	}

	@Deprecated(since = "0.1.0")
	public void setLocalFirst(boolean localFirst) {
		this.localFirst = localFirst;
	}

	public @Nullable String getEncode() {
		return this.encode;
	}

	public void setEncode(@Nullable String encode) {
		this.encode = encode;
	}

	public @Nullable Integer getMaxRetry() {
		return this.maxRetry;
	}

	public void setMaxRetry(@Nullable Integer maxRetry) {
		this.maxRetry = maxRetry;
	}

	public boolean isEnableRemoteSyncConfig() {
		return this.enableRemoteSyncConfig;
	}

	public void setEnableRemoteSyncConfig(boolean enableRemoteSyncConfig) {
		this.enableRemoteSyncConfig = enableRemoteSyncConfig;
	}

	public @Nullable String getClusterName() {
		return this.clusterName;
	}

	public void setClusterName(@Nullable String clusterName) {
		this.clusterName = clusterName;
	}

	public @Nullable String getRamRoleName() {
		return this.ramRoleName;
	}

	public void setRamRoleName(@Nullable String ramRoleName) {
		this.ramRoleName = ramRoleName;
	}

	public ImportCheck getImportCheck() {
		return this.importCheck;
	}

	public List<ConfigEntry> getSharedConfigs() {
		return this.sharedConfigs;
	}

	public void setSharedConfigs(List<ConfigEntry> sharedConfigs) {
		this.sharedConfigs = sharedConfigs;
	}

	public List<ConfigEntry> getExtensionConfigs() {
		return this.extensionConfigs;
	}

	public void setExtensionConfigs(List<ConfigEntry> extensionConfigs) {
		this.extensionConfigs = extensionConfigs;
	}

	@Deprecated(since = "0.1.0")
	@DeprecatedConfigurationProperty(replacement = "spring.cloud.nacos.config.extension-configs",
			reason = "Spring Cloud Alibaba's former name of extension-configs")
	public List<ConfigEntry> getExtConfig() {
		return this.extensionConfigs;
	}

	@Deprecated(since = "0.1.0")
	public void setExtConfig(List<ConfigEntry> extConfig) {
		this.extensionConfigs = extConfig;
	}

	public Refresh getRefresh() {
		return this.refresh;
	}

	@Override
	public boolean supports(Class<?> type) {
		return NacosConfigProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		NacosConfigPropertiesValidator.validate((NacosConfigProperties) target, errors);
	}

	/**
	 * A shared or extension data id.
	 */
	public static class ConfigEntry {

		/**
		 * Data id, with its format as extension (e.g. "common.yaml").
		 */
		private @Nullable String dataId;

		/**
		 * Group of the data id.
		 */
		private String group = DEFAULT_GROUP;

		/**
		 * Whether the data id is refreshed on change.
		 */
		private boolean refresh;

		public @Nullable String getDataId() {
			return this.dataId;
		}

		public void setDataId(@Nullable String dataId) {
			this.dataId = dataId;
		}

		public String getGroup() {
			return this.group;
		}

		public void setGroup(String group) {
			this.group = group;
		}

		public boolean isRefresh() {
			return this.refresh;
		}

		public void setRefresh(boolean refresh) {
			this.refresh = refresh;
		}

	}

	/**
	 * The startup check that a "nacos:" import is declared.
	 */
	public static class ImportCheck {

		/**
		 * Whether startup fails when config is enabled but no spring.config.import names
		 * a "nacos:" location.
		 */
		private boolean enabled;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * How a change is applied to the running application.
	 */
	public static class Refresh {

		/**
		 * Whether @Value fields and methods of singleton beans are updated in place when
		 * their keys change.
		 */
		private boolean valueInjection = true;

		/**
		 * Number of refreshes remembered for the "nacos" endpoint.
		 */
		private int historySize = 20;

		public boolean isValueInjection() {
			return this.valueInjection;
		}

		public void setValueInjection(boolean valueInjection) {
			this.valueInjection = valueInjection;
		}

		public int getHistorySize() {
			return this.historySize;
		}

		public void setHistorySize(int historySize) {
			this.historySize = historySize;
		}

	}

}
