package dev.nacosboot.config;

import java.util.Collections;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.env.PropertySourceInfo;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.core.env.MapPropertySource;

/**
 * The {@code PropertySource} of one Nacos data id, named
 * {@code nacos:<namespace>/<group>/<dataId>}: immutable, origin-tracked (values name the
 * data id and, for YAML, the line), and aware of its resource, so that its rank can be
 * put right after loading and kept on every refresh.
 */
public final class NacosConfigPropertySource extends MapPropertySource
		implements PropertySourceInfo, OriginLookup<String> {

	private final NacosConfigDataResource resource;

	NacosConfigPropertySource(NacosConfigDataResource resource, Map<String, Object> properties) {
		super(resource.propertySourceName(), Collections.unmodifiableMap(properties));
		this.resource = resource;
	}

	/** The data id this source holds. */
	public NacosConfigDataResource getResource() {
		return this.resource;
	}

	@Override
	public @Nullable Object getProperty(String name) {
		Object value = super.getProperty(name);
		return (value instanceof OriginTrackedValue tracked) ? tracked.getValue() : value;
	}

	@Override
	public @Nullable Origin getOrigin(String name) {
		return (super.getProperty(name) instanceof OriginTrackedValue tracked) ? tracked.getOrigin() : null;
	}

	@Override
	public boolean isImmutable() {
		return true;
	}

}
