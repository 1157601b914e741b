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
 * The load-balancer settings in force, as immutable snapshots of the one bound
 * {@link NacosLoadBalancerProperties}: the gray rules, the outlier-detection and requeue
 * settings and the propagated headers. Requests read them with a volatile read. A rebind
 * of the properties (a config refresh) is offered through
 * {@link #update(NacosLoadBalancerProperties)}, which replaces them only when valid -
 * otherwise one error is logged and the previous ones stay.
 */
public class GrayRulesSource {

	private static final Log logger = LogFactory.getLog(GrayRulesSource.class);

	private final Function<String, List<? extends ServiceInstance>> instances;

	private volatile Settings settings;

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
		this.settings = Settings.of(initial);
	}

	/**
	 * The rules in force.
	 * @return the rules
	 */
	public GrayRules current() {
		return this.settings.rules();
	}

	/**
	 * The outlier-detection settings in force.
	 * @return the settings
	 */
	OutlierSettings outliers() {
		return this.settings.outliers();
	}

	/**
	 * The requeue settings in force.
	 * @return the settings
	 */
	ConnectFailureRequeue.Settings requeue() {
		return this.settings.requeue();
	}

	/**
	 * The headers propagated from an incoming request to outgoing calls: the version
	 * header, then the configured ones.
	 * @return the header names
	 */
	List<String> propagatedHeaders() {
		return this.settings.propagatedHeaders();
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
		Settings updated;
		try {
			updated = Settings.of(properties);
			if (updated.equals(this.settings)) {
				return false;
			}
			if (!updated.rules().equals(this.settings.rules())) {
				checkVersionsExist(updated.rules());
			}
		}
		catch (InvalidGrayRulesException ex) {
			reject(ex.getMessage());
			return false;
		}
		boolean rulesChanged = !updated.rules().equals(this.settings.rules());
		this.settings = updated;
		this.lastRejection = null;
		if (rulesChanged) {
			logger.info("Applied new " + NacosLoadBalancerProperties.PREFIX + " rules: " + updated.rules().services());
		}
		else {
			logger.info("Applied new " + NacosLoadBalancerProperties.PREFIX + " settings");
		}
		return rulesChanged;
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

	/**
	 * Every snapshot of one binding.
	 */
	private record Settings(GrayRules rules, OutlierSettings outliers, ConnectFailureRequeue.Settings requeue,
			List<String> propagatedHeaders) {

		static Settings of(NacosLoadBalancerProperties properties) {
			GrayRules rules = GrayRules.of(properties);
			NacosLoadBalancerProperties.Requeue.Budget budget = properties.getRequeue().getBudget();
			List<String> headers = new ArrayList<>();
			headers.add(rules.versionHeader());
			for (String header : properties.getHeaderPropagation().getHeaders()) {
				if (header != null && !header.isBlank() && !headers.contains(header.trim())) {
					headers.add(header.trim());
				}
			}
			return new Settings(rules, OutlierSettings.of(properties), new ConnectFailureRequeue.Settings(
					properties.getRequeue().isEnabled(),
					new RetryBudget.Settings(budget.getPercent(), budget.getMinPerSecond(), budget.getWindow())),
					List.copyOf(headers));
		}

	}

}
