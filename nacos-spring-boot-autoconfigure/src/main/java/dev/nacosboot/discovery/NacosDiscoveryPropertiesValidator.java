package dev.nacosboot.discovery;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import dev.nacosboot.core.NacosPropertyViolations;

import org.springframework.util.StringUtils;

/**
 * The checks of {@link NacosDiscoveryProperties}, run where the settings are bound (the
 * properties validate themselves with it).
 */
final class NacosDiscoveryPropertiesValidator {

	private static final String PREFIX = NacosDiscoveryProperties.PREFIX + ".";

	private static final Pattern NAME = Pattern.compile("[^@\\s]+(@(?!@)[^@\\s]*)*");

	private static final Pattern CLUSTER = Pattern.compile("[A-Za-z0-9_\\-]+");

	private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

	private static final Pattern CIDR = Pattern.compile("[0-9A-Fa-f:.]+/\\d{1,3}");

	private NacosDiscoveryPropertiesValidator() {
	}

	/**
	 * Records every invalid discovery setting.
	 * @param properties the settings
	 * @param violations where to record
	 */
	public static void validate(NacosDiscoveryProperties properties, NacosPropertyViolations violations) {
		float weight = properties.getWeight();
		if (!(weight >= 0 && weight <= 10000)) {
			violations.reject(PREFIX + "weight", weight, "the weight must be between 0 and 10000",
					"set a weight between 0 (no traffic) and 10000; 1 is the default");
		}
		int port = properties.getPort();
		if (port != -1 && (port < 1 || port > 65535)) {
			violations.reject(PREFIX + "port", port, "the port is out of range 1-65535",
					"set the port clients should call, or remove it to register the web server's port");
		}
		String ip = properties.getIp();
		if (ip != null && !ip.isBlank() && !isIpLiteral(ip.trim())) {
			violations.reject(PREFIX + "ip", ip, "not an IPv4 or IPv6 address",
					"set an address literal such as 10.0.0.5 or fd00::5 (without a %scope suffix), or remove it to select one automatically");
		}
		checkName(PREFIX + "group", properties.getGroup(), violations);
		for (int i = 0; i < properties.getGroups().size(); i++) {
			checkName(PREFIX + "groups[" + i + "]", properties.getGroups().get(i), violations);
		}
		if (properties.getService() != null) {
			checkName(PREFIX + "service", properties.getService(), violations);
		}
		if (!CLUSTER.matcher(properties.getClusterName()).matches()) {
			violations.reject(PREFIX + "cluster-name", properties.getClusterName(),
					"a cluster name has letters, digits, '_' or '-' only", "use a name such as DEFAULT or zone-a");
		}
		if (!properties.getIpType().equalsIgnoreCase("IPv4") && !properties.getIpType().equalsIgnoreCase("IPv6")) {
			violations.reject(PREFIX + "ip-type", properties.getIpType(), "unknown address family", "set IPv4 or IPv6");
		}
		checkPatterns(PREFIX + "preferred-networks", properties.getPreferredNetworks(), true, violations);
		checkPatterns(PREFIX + "ignored-interfaces", properties.getIgnoredInterfaces(), false, violations);
		Duration warmup = properties.getWarmup();
		if (warmup != null && warmup.isNegative()) {
			violations.reject(PREFIX + "warmup", warmup, "must not be negative",
					"set a duration such as 30s, or 0 for no warm-up");
		}
		double ratio = properties.getWarmupInitialWeightRatio();
		if (!(ratio > 0 && ratio <= 1)) {
			violations.reject(PREFIX + "warmup-initial-weight-ratio", ratio, "must be above 0 and at most 1",
					"set a fraction such as 0.1");
		}
		if (properties.getMaxMetadataLength() < 0) {
			violations.reject(PREFIX + "max-metadata-length", properties.getMaxMetadataLength(), "must not be negative",
					"set the server's limit (1024 unless its "
							+ "nacos.naming.service.metadata.length says otherwise), or 0 to turn the check off");
		}
		checkPositive(PREFIX + "watch-delay", properties.getWatchDelay(), violations);
		checkPositive(PREFIX + "retry.initial-interval", properties.getRetry().getInitialInterval(), violations);
		checkPositive(PREFIX + "retry.max-interval", properties.getRetry().getMaxInterval(), violations);
		if (properties.getEmptyGraceAfterReconnect().isNegative()) {
			violations.reject(PREFIX + "empty-grace-after-reconnect", properties.getEmptyGraceAfterReconnect(),
					"must not be negative", "set a duration such as 10s, or 0 to apply empty lists at once");
		}
		if (properties.getDeregistrationTimeout().isNegative()) {
			violations.reject(PREFIX + "deregistration-timeout", properties.getDeregistrationTimeout(),
					"must not be negative", "set a duration such as 3s, or 0 not to wait");
		}
		Duration gracefulShutdownWaitTime = properties.getGracefulShutdownWaitTime();
		if (gracefulShutdownWaitTime != null && gracefulShutdownWaitTime.isNegative()) {
			violations.reject(PREFIX + "graceful-shutdown-wait-time", gracefulShutdownWaitTime, "must not be negative",
					"set a duration such as 500ms, or 0 not to wait beyond the removal push");
		}
	}

	private static void checkName(String property, String value, NacosPropertyViolations violations) {
		if (!StringUtils.hasText(value) || !NAME.matcher(value).matches()) {
			violations.reject(property, value, "a Nacos name must be non-empty, without spaces and without '@@'",
					"use a plain name such as DEFAULT_GROUP or orders-service");
		}
	}

	private static void checkPatterns(String property, List<String> patterns, boolean allowCidr,
			NacosPropertyViolations violations) {
		for (int i = 0; i < patterns.size(); i++) {
			String pattern = patterns.get(i);
			if (allowCidr && CIDR.matcher(pattern).matches()) {
				if (!isValidCidr(pattern)) {
					violations.reject(property + "[" + i + "]", pattern, "not a valid CIDR block",
							"use a network such as 10.0.0.0/8 or fd00::/8");
				}
				continue;
			}
			try {
				Pattern.compile(pattern);
			}
			catch (PatternSyntaxException ex) {
				violations.reject(property + "[" + i + "]", pattern,
						"not a valid regular expression: " + ex.getDescription(),
						allowCidr ? "use a CIDR block (10.0.0.0/8) or a regular expression (10\\.0\\..*)"
								: "use a regular expression on interface names, e.g. docker.*");
			}
		}
	}

	/**
	 * Whether the text is an IPv4 or IPv6 address literal (never resolves a host name).
	 * @param text the text
	 * @return whether it is an address literal without a scope suffix
	 */
	public static boolean isIpLiteral(String text) {
		if (IPV4.matcher(text).matches()) {
			for (String octet : text.split("\\.")) {
				if (Integer.parseInt(octet) > 255) {
					return false;
				}
			}
			return true;
		}
		if (!text.contains(":") || !text.matches("[0-9A-Fa-f:.]+")) {
			return false;
		}
		try {
			return InetAddress.getByName(text) instanceof Inet6Address;
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	private static boolean isValidCidr(String cidr) {
		int slash = cidr.indexOf('/');
		String address = cidr.substring(0, slash);
		int bits = Integer.parseInt(cidr.substring(slash + 1));
		if (!isIpLiteral(address)) {
			return false;
		}
		return bits <= (address.contains(":") ? 128 : 32);
	}

	private static void checkPositive(String property, Duration duration, NacosPropertyViolations violations) {
		if (duration.isNegative() || duration.isZero()) {
			violations.reject(property, duration, "must be positive", "set a positive duration such as 1s");
		}
	}

}
