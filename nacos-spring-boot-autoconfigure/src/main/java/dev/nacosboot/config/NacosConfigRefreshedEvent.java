package dev.nacosboot.config;

import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * Published after a change of a Nacos config was applied to the running application: its
 * source was swapped, the affected {@code @ConfigurationProperties} beans rebound,
 * {@code @Value} members updated and {@code @RefreshScope} beans refreshed.
 * {@link #getChangedKeys()} is empty when the change altered no effective value (for
 * instance because a higher source shadows every changed key).
 */
public class NacosConfigRefreshedEvent extends ApplicationEvent {

	private final String dataId;

	private final String group;

	private final @Nullable String namespace;

	private final Set<String> changedKeys;

	private final String md5;

	public NacosConfigRefreshedEvent(Object source, String dataId, String group, @Nullable String namespace,
			Set<String> changedKeys, String md5) {
		super(source);
		this.dataId = dataId;
		this.group = group;
		this.namespace = namespace;
		this.changedKeys = Set.copyOf(changedKeys);
		this.md5 = md5;
	}

	public String getDataId() {
		return this.dataId;
	}

	public String getGroup() {
		return this.group;
	}

	/** The namespace of the data id, {@code null} for the public namespace. */
	public @Nullable String getNamespace() {
		return this.namespace;
	}

	/** The keys whose effective value changed. */
	public Set<String> getChangedKeys() {
		return this.changedKeys;
	}

	/** md5 of the applied content. */
	public String getMd5() {
		return this.md5;
	}

}
