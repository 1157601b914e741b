package dev.nacosboot.discovery;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import com.alibaba.nacos.api.naming.pojo.Instance;

import org.springframework.cloud.client.ServiceInstance;

/**
 * An immutable Nacos instance as a Spring Cloud {@link ServiceInstance}. Its metadata
 * holds the instance's own metadata plus {@code nacos.instanceId}, {@code nacos.weight},
 * {@code nacos.cluster}, {@code nacos.group}, {@code nacos.healthy} and
 * {@code nacos.ephemeral} (the keys Spring Cloud Alibaba uses).
 */
public final class NacosServiceInstance implements ServiceInstance {

	private final String serviceId;

	private final String group;

	private final String instanceId;

	private final String host;

	private final int port;

	private final boolean secure;

	private final double weight;

	private final String cluster;

	private final boolean healthy;

	private final boolean enabled;

	private final Map<String, String> metadata;

	private final URI uri;

	NacosServiceInstance(String serviceId, String group, Instance instance) {
		this.serviceId = serviceId;
		this.group = group;
		this.host = stripScope(instance.getIp());
		this.port = instance.getPort();
		this.instanceId = (instance.getInstanceId() != null) ? instance.getInstanceId()
				: this.host + "#" + this.port + "#" + instance.getClusterName() + "#" + group + "@@" + serviceId;
		this.weight = instance.getWeight();
		this.cluster = instance.getClusterName();
		this.healthy = instance.isHealthy();
		this.enabled = instance.isEnabled();
		Map<String, String> source = (instance.getMetadata() != null) ? instance.getMetadata() : Map.of();
		this.secure = Boolean.parseBoolean(source.get("secure"));
		Map<String, String> metadata = new LinkedHashMap<>(source);
		metadata.put("nacos.instanceId", this.instanceId);
		metadata.put("nacos.weight", String.valueOf(this.weight));
		metadata.put("nacos.cluster", String.valueOf(this.cluster));
		metadata.put("nacos.group", group);
		metadata.put("nacos.healthy", String.valueOf(this.healthy));
		metadata.put("nacos.ephemeral", String.valueOf(instance.isEphemeral()));
		this.metadata = Collections.unmodifiableMap(metadata);
		this.uri = uri(this.host, this.port, this.secure);
	}

	/**
	 * The base URI of an instance, with an IPv6 address in brackets (Spring Cloud's
	 * {@code ServiceInstance.createUri} leaves them out).
	 * @param host the address
	 * @param port the port
	 * @param secure whether it is called over https
	 * @return the URI
	 */
	public static URI uri(String host, int port, boolean secure) {
		String uriHost = host.contains(":") ? "[" + host + "]" : host;
		return URI.create((secure ? "https" : "http") + "://" + uriHost + ":" + port);
	}

	// A link-local IPv6 address's %scope belongs to the registering host's interface,
	// never to a URI.
	private static String stripScope(String ip) {
		int percent = ip.indexOf('%');
		return (percent >= 0) ? ip.substring(0, percent) : ip;
	}

	@Override
	public String getServiceId() {
		return this.serviceId;
	}

	@Override
	public String getInstanceId() {
		return this.instanceId;
	}

	@Override
	public String getHost() {
		return this.host;
	}

	@Override
	public int getPort() {
		return this.port;
	}

	@Override
	public boolean isSecure() {
		return this.secure;
	}

	@Override
	public URI getUri() {
		return this.uri;
	}

	@Override
	public Map<String, String> getMetadata() {
		return this.metadata;
	}

	@Override
	public String getScheme() {
		return this.secure ? "https" : "http";
	}

	/**
	 * Group the instance was found in.
	 * @return the group
	 */
	public String getGroup() {
		return this.group;
	}

	public double getWeight() {
		return this.weight;
	}

	public String getCluster() {
		return this.cluster;
	}

	public boolean isHealthy() {
		return this.healthy;
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof NacosServiceInstance that)) {
			return false;
		}
		return this.port == that.port && this.secure == that.secure && Double.compare(this.weight, that.weight) == 0
				&& this.healthy == that.healthy && this.enabled == that.enabled && this.serviceId.equals(that.serviceId)
				&& this.group.equals(that.group) && this.instanceId.equals(that.instanceId)
				&& this.host.equals(that.host) && Objects.equals(this.cluster, that.cluster)
				&& this.metadata.equals(that.metadata);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.serviceId, this.group, this.instanceId, this.host, this.port, this.weight,
				this.healthy, this.enabled, this.metadata);
	}

	@Override
	public String toString() {
		return "NacosServiceInstance{" + this.group + "@@" + this.serviceId + " " + this.host + ":" + this.port
				+ " weight=" + this.weight + " healthy=" + this.healthy + " enabled=" + this.enabled + "}";
	}

}
