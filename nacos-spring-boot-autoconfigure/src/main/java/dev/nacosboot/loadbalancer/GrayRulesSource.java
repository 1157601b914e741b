package dev.nacosboot.loadbalancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;

/**
 * The rules in force: the last valid {@link GrayRules}. Requests read {@link #current()}
 * (a volatile read); a change offered through
 * {@link #update(NacosLoadBalancerProperties)} replaces it only when valid - otherwise
 * one error is logged and the previous rules stay.
 */
public class GrayRulesSource {

	private static final Log logger = LogFactory.getLog(GrayRulesSource.class);

	private final Function<String, List<? extends ServiceInstance>> instances;

	private volatile GrayRules current;

	private volatile @Nullable String lastRejection;

	/**
	 * Creates the source with the startup rules.
	 * @param initial the bound properties at startup
	 * @param instances current instances of a service, used to reject rules naming
	 * versions no instance has
	 * @throws InvalidGrayRulesException when the startup rules are invalid
	 */
	public GrayRulesSource(NacosLoadBalancerProperties initial,
			Function<String, List<? extends ServiceInstance>> instances) {
		this.instances = instances;
		// Services need not be up when this application starts, so only the static checks
		// apply here.
		this.current = GrayRules.of(initial);
	}

	/**
	 * The rules in force.
	 * @return the rules
	 */
	public GrayRules current() {
		return this.current;
	}

	/**
	 * Why the last rejected change was rejected, {@code null} when none was since the
	 * last applied change.
	 * @return the reason
	 */
	public @Nullable String getLastRejection() {
		return this.lastRejection;
	}

	/**
	 * Offers changed properties.
	 * @param properties freshly bound properties
	 * @return whether the rules in force changed
	 */
	public synchronized boolean update(NacosLoadBalancerProperties properties) {
		GrayRules rules;
		try {
			rules = GrayRules.of(properties);
			if (rules.equals(this.current)) {
				return false;
			}
			checkVersionsExist(rules);
		}
		catch (InvalidGrayRulesException ex) {
			reject(ex.getMessage());
			return false;
		}
		this.current = rules;
		this.lastRejection = null;
		logger.info("Applied new " + NacosLoadBalancerProperties.PREFIX + " rules: " + rules.services());
		return true;
	}

	/**
	 * Records a change that could not even be bound.
	 * @param reason why
	 */
	public void reject(@Nullable String reason) {
		this.lastRejection = reason;
		logger.error("Rejected a change of the load-balancer rules, keeping the previous ones: " + reason);
	}

	// A stable or canary version that no current instance of a running service has would
	// send traffic nowhere.
	private void checkVersionsExist(GrayRules rules) {
		List<String> problems = new ArrayList<>();
		rules.services().forEach((serviceId, rule) -> {
			List<? extends ServiceInstance> current = this.instances.apply(serviceId);
			if (current.isEmpty()) {
				return;
			}
			Set<String> known = new TreeSet<>();
			for (ServiceInstance instance : current) {
				String version = instance.getMetadata().get(rules.versionMetadataKey());
				if (version != null) {
					known.add(version);
				}
			}
			if (rule.stableVersion() != null && !known.contains(rule.stableVersion())) {
				problems.add("services." + serviceId + ".stable-version " + rule.stableVersion()
						+ " is unknown: no instance has it (versions: " + known + ")");
			}
			for (GrayRules.Canary canary : rule.canaries()) {
				if (canary.basisPoints() > 0 && !known.contains(canary.version())) {
					problems.add("services." + serviceId + ".canary." + canary.version()
							+ " is unknown: no instance has it (versions: " + known + ")");
				}
			}
		});
		if (!problems.isEmpty()) {
			throw new InvalidGrayRulesException(problems);
		}
	}

}
