package dev.nacosboot.registry;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class HostAddressSelectorTests {

	private static final HostAddressSelector.Nic LOOPBACK = nic("lo", 1, true, "127.0.0.1", "::1");

	private static final HostAddressSelector.Nic DOCKER = nic("docker0", 2, false, "172.17.0.1");

	private static final HostAddressSelector.Nic ETH0 = nic("eth0", 3, false, "10.1.2.3", "fe80::1%2", "2001:db8::3");

	private static final HostAddressSelector.Nic ETH1 = nic("eth1", 4, false, "192.168.5.7");

	@Test
	void selectShouldReturnTheExplicitIp() {
		assertThat(select(criteria("10.9.9.9", null, false, List.of(), List.of()), ETH0)).isEqualTo("10.9.9.9");
	}

	@Test
	void selectShouldSkipLoopbackAndTakeTheFirstInterfacesIpv4Address() {
		assertThat(select(criteria(null, null, false, List.of(), List.of()), LOOPBACK, DOCKER, ETH0, ETH1))
			.isEqualTo("172.17.0.1");
	}

	@Test
	void selectShouldSkipIgnoredInterfaces() {
		assertThat(select(criteria(null, null, false, List.of(), List.of("docker.*", "veth.*")), LOOPBACK, DOCKER, ETH0,
				ETH1))
			.isEqualTo("10.1.2.3");
	}

	@Test
	void selectShouldPreferAddressesInPreferredCidr() {
		assertThat(select(criteria(null, null, false, List.of("192.168.0.0/16"), List.of()), DOCKER, ETH0, ETH1))
			.isEqualTo("192.168.5.7");
	}

	@Test
	void selectShouldPreferAddressesMatchingPreferredRegexOrPrefix() {
		assertThat(select(criteria(null, null, false, List.of("10\\.1\\..*"), List.of()), DOCKER, ETH0, ETH1))
			.isEqualTo("10.1.2.3");
		assertThat(select(criteria(null, null, false, List.of("192.168"), List.of()), DOCKER, ETH0, ETH1))
			.isEqualTo("192.168.5.7");
	}

	@Test
	void selectWhenNoAddressIsInPreferredNetworksShouldFallBackToAllInterfaces() {
		assertThat(select(criteria(null, null, false, List.of("10.200.0.0/16"), List.of("docker0")), DOCKER, ETH0))
			.isEqualTo("10.1.2.3");
	}

	@Test
	void selectOnNamedInterfaceShouldUseOnlyThatInterface() {
		assertThat(select(criteria(null, "eth1", false, List.of(), List.of()), DOCKER, ETH0, ETH1))
			.isEqualTo("192.168.5.7");
	}

	@Test
	void selectOnMissingNamedInterfaceShouldFailNamingTheProperty() {
		assertThatIllegalStateException()
			.isThrownBy(() -> select(criteria(null, "wlan9", false, List.of(), List.of()), ETH0))
			.withMessageContaining("spring.cloud.nacos.discovery.network-interface");
	}

	@Test
	void selectPreferringIpv6ShouldTakeAGlobalAddressNotTheLinkLocalOne() {
		assertThat(select(criteria(null, null, true, List.of(), List.of()), LOOPBACK, ETH0))
			.isEqualTo("2001:db8:0:0:0:0:0:3");
	}

	@Test
	void selectOnIpv6OnlyHostShouldReturnIpv6EvenWhenIpv4IsPreferred() {
		HostAddressSelector.Nic ipv6Only = nic("eth0", 2, false, "fe80::5%2", "fd00::5");
		assertThat(select(criteria(null, null, false, List.of(), List.of()), LOOPBACK, ipv6Only))
			.isEqualTo("fd00:0:0:0:0:0:0:5");
	}

	@Test
	void selectWithOnlyALinkLocalIpv6AddressShouldDropTheScope() {
		HostAddressSelector.Nic linkLocal = nic("eth0", 2, false, "fe80::abcd%2");
		String selected = select(criteria(null, null, true, List.of(), List.of()), linkLocal);
		assertThat(selected).isEqualTo("fe80:0:0:0:0:0:0:abcd").doesNotContain("%");
	}

	@Test
	void selectPreferringIpv6WithPreferredIpv6NetworkShouldMatchTheCidr() {
		HostAddressSelector.Nic dual = nic("eth0", 2, false, "10.0.0.2", "fd00:1::2", "2001:db8::9");
		assertThat(select(criteria(null, null, true, List.of("2001:db8::/32"), List.of()), dual))
			.isEqualTo("2001:db8:0:0:0:0:0:9");
	}

	@Test
	void selectWithNoUsableInterfaceShouldFallBackToLoopback() {
		assertThat(select(criteria(null, null, false, List.of(), List.of()), LOOPBACK)).isEqualTo("127.0.0.1");
	}

	@Test
	void selectShouldSkipInterfacesThatAreDown() {
		HostAddressSelector.Nic down = new HostAddressSelector.Nic("eth0", 2, false, false, addresses("10.0.0.9"));
		assertThat(select(criteria(null, null, false, List.of(), List.of()), down, ETH1)).isEqualTo("192.168.5.7");
	}

	private static String select(HostAddressSelector.Criteria criteria, HostAddressSelector.Nic... nics) {
		return new HostAddressSelector(() -> Arrays.asList(nics)).select(criteria);
	}

	private static HostAddressSelector.Criteria criteria(String ip, String networkInterface, boolean preferIpv6,
			List<String> preferredNetworks, List<String> ignoredInterfaces) {
		return new HostAddressSelector.Criteria(ip, networkInterface, preferIpv6, preferredNetworks, ignoredInterfaces);
	}

	private static HostAddressSelector.Nic nic(String name, int index, boolean loopback, String... addresses) {
		return new HostAddressSelector.Nic(name, index, true, loopback, addresses(addresses));
	}

	private static List<InetAddress> addresses(String... literals) {
		return Arrays.stream(literals).map((literal) -> {
			try {
				return InetAddress.getByName(literal);
			}
			catch (UnknownHostException ex) {
				throw new IllegalArgumentException(ex);
			}
		}).toList();
	}

}
