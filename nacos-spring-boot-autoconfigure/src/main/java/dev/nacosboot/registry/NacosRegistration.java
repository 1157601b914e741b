package dev.nacosboot.registry;

import java.net.URI;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.nacosboot.discovery.NacosServiceInstance;

import org.springframework.cloud.client.serviceregistry.Registration;

/**
 * This application's instance as it should be in Nacos. Port, the reasons for being out
 * of traffic, the current warm-up weight and metadata published at runtime change over
 * the application's life, written only by the {@link NacosInstanceReconciler}, which
 * applies them to the server; everything else is fixed at creation. Metadata added to
 * {@link #getMetadata()} directly is sent with the next registration but is not an update
 * of its own: publish runtime entries through the reconciler.
 */
public class NacosRegistration implements Registration {

	/** Status that makes the instance routable. */
	public static final String STATUS_UP = "UP";

	/** Status that keeps the instance registered but routes no traffic to it. */
	public static final String STATUS_OUT_OF_SERVICE = "OUT_OF_SERVICE";

	private final String serviceId;

	private final String group;

	private final String clusterName;

	private final String host;

	private final boolean secure;

	private final float weight;

	private final boolean ephemeral;

	private final boolean instanceEnabled;

	private final Map<String, String> metadata;

	private final Map<String, Integer> reservedMetadata = new ConcurrentHashMap<>();

	private volatile int port;

	private volatile Set<OutOfTrafficReason> outOfTrafficReasons = Set.of();

	private volatile float currentWeight;

	/**
	 * Creates a registration.
	 * @param serviceId service name
	 * @param group group
	 * @param clusterName cluster
	 * @param host ip address (without scope)
	 * @param port port, or 0 until the web server is known
	 * @param secure whether clients use https
	 * @param weight full weight
	 * @param ephemeral whether ephemeral
	 * @param instanceEnabled whether the instance may take traffic at all
	 * @param metadata metadata to register
	 */
	public NacosRegistration(String serviceId, String group, String clusterName, String host, int port, boolean secure,
			float weight, boolean ephemeral, boolean instanceEnabled, Map<String, String> metadata) {
		this.serviceId = serviceId;
		this.group = group;
		this.clusterName = clusterName;
		this.host = host;
		this.port = port;
		this.secure = secure;
		this.weight = weight;
		this.currentWeight = weight;
		this.ephemeral = ephemeral;
		this.instanceEnabled = instanceEnabled;
		this.metadata = Collections.synchronizedMap(new LinkedHashMap<>(metadata));
	}

	@Override
	public String getServiceId() {
		return this.serviceId;
	}

	/**
	 * Nacos's id for this instance: {@code ip#port#cluster#group@@service}.
	 */
	@Override
	public String getInstanceId() {
		return this.host + "#" + this.port + "#" + this.clusterName + "#" + this.group + "@@" + this.serviceId;
	}

	@Override
	public String getHost() {
		return this.host;
	}

	@Override
	public int getPort() {
		return this.port;
	}

	void setPort(int port) {
		this.port = port;
	}

	@Override
	public boolean isSecure() {
		return this.secure;
	}

	@Override
	public URI getUri() {
		return NacosServiceInstance.uri(this.host, this.port, this.secure);
	}

	@Override
	public Map<String, String> getMetadata() {
		return this.metadata;
	}

	/**
	 * Announces a metadata entry written after startup (such as a published load), so
	 * that the startup check of the metadata size counts it.
	 * @param key the metadata key
	 * @param maxValueLength the longest value that will be written
	 */
	public void reserveMetadata(String key, int maxValueLength) {
		this.reservedMetadata.merge(key, maxValueLength, Math::max);
	}

	/**
	 * Metadata entries written after startup, with the longest value of each.
	 * @return key to longest value length
	 */
	public Map<String, Integer> getReservedMetadata() {
		return Collections.unmodifiableMap(this.reservedMetadata);
	}

	public String getGroup() {
		return this.group;
	}

	public String getClusterName() {
		return this.clusterName;
	}

	/**
	 * Full weight, reached after the warm-up.
	 * @return the configured weight
	 */
	public float getWeight() {
		return this.weight;
	}

	public float getCurrentWeight() {
		return this.currentWeight;
	}

	void setCurrentWeight(float currentWeight) {
		this.currentWeight = currentWeight;
	}

	public boolean isEphemeral() {
		return this.ephemeral;
	}

	/**
	 * {@link #STATUS_OUT_OF_SERVICE} while an operator or a health group holds the
	 * instance out of traffic ({@link OutOfTrafficReason#DRAIN},
	 * {@link OutOfTrafficReason#HEALTH_GROUP}), {@link #STATUS_UP} otherwise; readiness
	 * is {@link #isReady()}.
	 * @return the status
	 */
	public String getStatus() {
		Set<OutOfTrafficReason> reasons = this.outOfTrafficReasons;
		return (reasons.contains(OutOfTrafficReason.DRAIN) || reasons.contains(OutOfTrafficReason.HEALTH_GROUP))
				? STATUS_OUT_OF_SERVICE : STATUS_UP;
	}

	/**
	 * Whether the application accepts traffic (its readiness state, when readiness gating
	 * is on).
	 * @return whether ready
	 */
	public boolean isReady() {
		return !this.outOfTrafficReasons.contains(OutOfTrafficReason.READINESS);
	}

	/**
	 * Why the instance is out of traffic now.
	 * @return the reasons, empty while it may take traffic
	 */
	public Set<OutOfTrafficReason> getOutOfTrafficReasons() {
		return this.outOfTrafficReasons;
	}

	void setOutOfTrafficReasons(Set<OutOfTrafficReason> reasons) {
		this.outOfTrafficReasons = reasons.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(reasons));
	}

	/**
	 * Whether other applications should route to this instance now.
	 * @return whether configured enabled and no reason holds it out of traffic
	 */
	public boolean isRoutable() {
		return this.instanceEnabled && this.outOfTrafficReasons.isEmpty();
	}

	/**
	 * The instance as sent to Nacos now.
	 * @return a new instance
	 */
	public Instance toInstance() {
		Instance instance = new Instance();
		instance.setServiceName(this.serviceId);
		instance.setIp(this.host);
		instance.setPort(this.port);
		instance.setClusterName(this.clusterName);
		instance.setWeight(this.currentWeight);
		instance.setEphemeral(this.ephemeral);
		instance.setEnabled(isRoutable());
		instance.setHealthy(true);
		synchronized (this.metadata) {
			instance.setMetadata(new LinkedHashMap<>(this.metadata));
		}
		return instance;
	}

	@Override
	public String toString() {
		return "NacosRegistration{" + this.group + "@@" + this.serviceId + " " + this.host + ":" + this.port
				+ " cluster=" + this.clusterName + " weight=" + this.currentWeight + "/" + this.weight + " routable="
				+ isRoutable() + "}";
	}

}
