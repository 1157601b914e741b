package dev.nacosboot.registry;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * Chooses the address this instance registers: the explicit ip if set; otherwise an
 * address of an up, non-loopback, non-ignored interface (the named one, when
 * {@code network-interface} is set), of the preferred family (falling back to the other),
 * inside a preferred network when any matches. Link-local addresses are used only when
 * nothing else exists, and an IPv6 address never carries its {@code %scope}.
 */
class HostAddressSelector {

	private static final Log logger = LogFactory.getLog(HostAddressSelector.class);

	private final NetworkInterfaces interfaces;

	public HostAddressSelector() {
		this(NetworkInterfaces.SYSTEM);
	}

	public HostAddressSelector(NetworkInterfaces interfaces) {
		this.interfaces = interfaces;
	}

	/**
	 * Selects the address.
	 * @param criteria what to select by
	 * @return an address literal without scope
	 * @throws IllegalStateException when the named network interface does not exist or
	 * has no address
	 */
	public String select(Criteria criteria) {
		if (StringUtils.hasText(criteria.ip())) {
			return withoutScope(criteria.ip().trim());
		}
		List<Pattern> ignored = criteria.ignoredInterfaces().stream().map(Pattern::compile).toList();
		List<Candidate> candidates = new ArrayList<>();
		List<Nic> nics;
		try {
			nics = new ArrayList<>(this.interfaces.list());
		}
		catch (SocketException ex) {
			logger.warn("Could not list network interfaces, registering the loopback address: " + ex.getMessage());
			return loopback(criteria.preferIpv6());
		}
		nics.sort(Comparator.comparingInt(Nic::index));
		boolean named = StringUtils.hasText(criteria.networkInterface());
		for (Nic nic : nics) {
			if (named ? !nic.name().equals(criteria.networkInterface()) : (!nic.up() || nic.loopback()
					|| ignored.stream().anyMatch((p) -> p.matcher(nic.name()).matches()))) {
				continue;
			}
			for (InetAddress address : nic.addresses()) {
				if (!address.isLoopbackAddress() && !address.isAnyLocalAddress() && !address.isMulticastAddress()) {
					candidates.add(new Candidate(nic.name(), address));
				}
			}
		}
		if (named && candidates.isEmpty()) {
			throw new IllegalStateException("Network interface '" + criteria.networkInterface()
					+ "' (spring.cloud.nacos.discovery.network-interface) does not exist or has no address");
		}
		Predicate<Candidate> preferredFamily = (c) -> criteria.preferIpv6() == (c.address() instanceof Inet6Address);
		Predicate<Candidate> notLinkLocal = (c) -> !c.address().isLinkLocalAddress();
		List<Predicate<Candidate>> tiers = List.of(preferredFamily.and(notLinkLocal), notLinkLocal, preferredFamily,
				(c) -> true);
		if (!criteria.preferredNetworks().isEmpty()) {
			Predicate<Candidate> inPreferred = (
					c) -> criteria.preferredNetworks().stream().anyMatch((network) -> matches(network, c.address()));
			for (Predicate<Candidate> tier : tiers) {
				Candidate found = first(candidates, inPreferred.and(tier));
				if (found != null) {
					return hostAddress(found.address());
				}
			}
			logger.warn("No address in " + criteria.preferredNetworks()
					+ " (spring.cloud.nacos.discovery.preferred-networks); selecting from all interfaces");
		}
		for (Predicate<Candidate> tier : tiers) {
			Candidate found = first(candidates, tier);
			if (found != null) {
				return hostAddress(found.address());
			}
		}
		logger.warn("No usable network address found, registering the loopback address");
		return loopback(criteria.preferIpv6());
	}

	private static @Nullable Candidate first(List<Candidate> candidates, Predicate<Candidate> predicate) {
		return candidates.stream().filter(predicate).findFirst().orElse(null);
	}

	private static String loopback(boolean ipv6) {
		return ipv6 ? "::1" : "127.0.0.1";
	}

	static String hostAddress(InetAddress address) {
		return withoutScope(address.getHostAddress());
	}

	private static String withoutScope(String address) {
		int percent = address.indexOf('%');
		return (percent >= 0) ? address.substring(0, percent) : address;
	}

	/**
	 * Whether an address is inside a network given as CIDR ({@code 10.0.0.0/8}) or
	 * matches it as a regular expression on its literal (or starts with it, as Spring
	 * Cloud's {@code preferred-networks} does).
	 */
	static boolean matches(String network, InetAddress address) {
		String literal = hostAddress(address);
		int slash = network.indexOf('/');
		if (slash > 0 && network.substring(slash + 1).matches("\\d{1,3}")) {
			try {
				InetAddress base = InetAddress.getByName(network.substring(0, slash));
				int bits = Integer.parseInt(network.substring(slash + 1));
				byte[] a = base.getAddress();
				byte[] b = address.getAddress();
				if (a.length != b.length) {
					return false;
				}
				int length = a.length * 8;
				if (bits > length) {
					return false;
				}
				BigInteger mask = BigInteger.ONE.shiftLeft(length).subtract(BigInteger.ONE).shiftRight(bits).not();
				return new BigInteger(1, a).and(mask).equals(new BigInteger(1, b).and(mask));
			}
			catch (UnknownHostException | NumberFormatException ex) {
				return false;
			}
		}
		return literal.matches(network) || literal.startsWith(network);
	}

	/**
	 * What to select by.
	 *
	 * @param ip explicit address, or {@code null}
	 * @param networkInterface the only interface to use, or {@code null}
	 * @param preferIpv6 whether IPv6 addresses come first
	 * @param preferredNetworks CIDRs or regular expressions
	 * @param ignoredInterfaces regular expressions on interface names
	 */
	public record Criteria(@Nullable String ip, @Nullable String networkInterface, boolean preferIpv6,
			List<String> preferredNetworks, List<String> ignoredInterfaces) {

	}

	/**
	 * A network interface as seen by the selector.
	 *
	 * @param name interface name
	 * @param index interface index (lower first)
	 * @param up whether up
	 * @param loopback whether loopback
	 * @param addresses its addresses
	 */
	public record Nic(String name, int index, boolean up, boolean loopback, List<InetAddress> addresses) {

	}

	private record Candidate(String nic, InetAddress address) {

	}

	/**
	 * Lists the host's network interfaces.
	 */
	@FunctionalInterface
	public interface NetworkInterfaces {

		/** The JVM's view of the host's interfaces. */
		NetworkInterfaces SYSTEM = () -> {
			List<Nic> nics = new ArrayList<>();
			for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
				List<InetAddress> addresses = Collections.list(nic.getInetAddresses());
				nics.add(new Nic(nic.getName(), nic.getIndex(), nic.isUp(), nic.isLoopback(), addresses));
			}
			return nics;
		};

		List<Nic> list() throws SocketException;

	}

}
