package dev.nacosboot.config;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.config.ConfigDataResource;

/**
 * One data id to load. Two imports of the same data id (same namespace and group) are one
 * resource, loaded once.
 */
public final class NacosConfigDataResource extends ConfigDataResource {

	private final String dataId;

	private final String group;

	private final @Nullable String namespace;

	private final boolean refresh;

	private final boolean required;

	private final Kind kind;

	private final NacosConfigPreference preference;

	private final int index;

	NacosConfigDataResource(String dataId, String group, @Nullable String namespace, boolean refresh, boolean required,
			boolean optional, Kind kind, NacosConfigPreference preference, int index) {
		super(optional);
		this.dataId = dataId;
		this.group = group;
		this.namespace = (namespace == null || namespace.isBlank() || "public".equals(namespace)) ? null
				: namespace.trim();
		this.refresh = refresh;
		this.required = required;
		this.kind = kind;
		this.preference = preference;
		this.index = index;
	}

	public String getDataId() {
		return this.dataId;
	}

	public String getGroup() {
		return this.group;
	}

	/**
	 * The namespace: the import's, else the configured one; {@code null} for the public
	 * namespace.
	 */
	public @Nullable String getNamespace() {
		return this.namespace;
	}

	/** Whether changes of this data id are applied to the running application. */
	public boolean isRefresh() {
		return this.refresh;
	}

	/**
	 * Whether startup fails when this data id is missing or unreadable: true for data ids
	 * named explicitly by a non-optional import.
	 */
	public boolean isRequired() {
		return this.required;
	}

	public Kind getKind() {
		return this.kind;
	}

	/** Where this data id ranks against the local config files. */
	public NacosConfigPreference getPreference() {
		return this.preference;
	}

	/**
	 * Position in {@code shared-configs} or {@code extension-configs} (a later entry
	 * wins), {@code -1} for other kinds.
	 */
	int getIndex() {
		return this.index;
	}

	/** Name of the {@code PropertySource} of this data id. */
	String propertySourceName() {
		return NacosConfigLocation.PREFIX + ((this.namespace != null) ? this.namespace : "public") + "/" + this.group
				+ "/" + this.dataId;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return this == other || (other instanceof NacosConfigDataResource that && this.dataId.equals(that.dataId)
				&& this.group.equals(that.group) && Objects.equals(this.namespace, that.namespace));
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.dataId, this.group, this.namespace);
	}

	@Override
	public String toString() {
		return "Nacos config '" + this.dataId + "' (group '" + this.group + "'"
				+ ((this.namespace != null) ? ", namespace '" + this.namespace + "'" : "") + ")";
	}

	/**
	 * Where a data id comes from; also its precedence, lowest first.
	 */
	public enum Kind {

		/** {@code spring.cloud.nacos.config.shared-configs}. */
		SHARED,

		/** {@code spring.cloud.nacos.config.extension-configs}. */
		EXTENSION,

		/** Named by an import, or the application's own data id of a bare import. */
		APPLICATION,

		/** The profile-specific data id of a bare import. */
		PROFILE,

		/** Stands for an import while config is switched off: loads nothing. */
		DISABLED

	}

}
