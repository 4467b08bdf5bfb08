package dev.dcont.cli.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.cli.Errors;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IpamTest {
  static final NetworkDef DUAL = NetworkDefTest.DUAL;

  private static Lease lease(String id, String... ips) {
    return new Lease(id, Path.of("/nonexistent"), "net:[1]", 1, 1,
        Map.of("networks", Map.of(DUAL.name(), Map.of("static_ips", List.of(ips)))), null);
  }

  private static String v6(String network, String wanted, List<Lease> leases) {
    BigInteger a = Ipam.address6(network.equals("v6") ? DUAL : v4Only(), wanted, leases);
    return a == null ? null : Subnet6.text(a);
  }

  private static NetworkDef v4Only() {
    return new NetworkDef("v4", "id", "dcont1", DUAL.subnet(), DUAL.gateway(), true, false, "");
  }

  @Test
  void theLowestFreeIpv6AddressIsTakenAndTheGatewayNever() {
    assertEquals("fd01:2:3:4::2", v6("v6", null, List.of()));
    List<Lease> leases = List.of(lease("a", "10.9.0.2", "fd01:2:3:4::2"), lease("b", "10.9.0.3", "fd01:2:3:4::4"));
    assertEquals("fd01:2:3:4::3", v6("v6", null, leases));
    assertEquals(Subnet.address("10.9.0.4"), Ipam.address(DUAL, null, leases));
    assertEquals(Subnet6.address("fd01:2:3:4::4"), leases.get(1).address6("v6"));
    assertEquals(Subnet.address("10.9.0.3"), leases.get(1).address("v6"));
  }

  @Test
  void anIpv6AddressAskedForIsCheckedAndWrittenInItsUsualForm() {
    List<Lease> leases = List.of(lease("a", "10.9.0.2", "fd01:2:3:4::2"));
    assertEquals("fd01:2:3:4::99", v6("v6", "FD01:2:3:4:0:0:0:99", leases));
    assertEquals("address fd01:2:3:4::2 is already in use on network v6", assertThrows(Errors.UserError.class,
        () -> v6("v6", "fd01:2:3:4::2", leases)).getMessage());
    assertEquals("address fd01:2:3:4::1 is already in use on network v6", assertThrows(Errors.UserError.class,
        () -> v6("v6", "fd01:2:3:4::1", leases)).getMessage());
    assertEquals("--ip6 fd01:2:3:5::2 is not in network v6's subnet fd01:2:3:4::/64",
        assertThrows(Errors.UserError.class, () -> v6("v6", "fd01:2:3:5::2", leases)).getMessage());
    assertEquals("invalid --ip6: invalid IPv6 address 'nope'",
        assertThrows(Errors.UserError.class, () -> v6("v6", "nope", leases)).getMessage());
    Errors.UserError noV6 = assertThrows(Errors.UserError.class, () -> v6("v4", "fd01:2:3:4::9", leases));
    assertEquals("--ip6 fd01:2:3:4::9: network v4 has no IPv6 (create one with 'dcont network create --ipv6')",
        noV6.getMessage());
    assertEquals(Errors.RUN_FAILED, noV6.code());
    assertNull(v6("v4", null, leases));
  }

  @Test
  void netavarkIsGivenBothAddressesOnANetworkWithIpv6() {
    assertEquals(List.of("10.9.0.2", "fd01:2:3:4::2"),
        Ipam.staticIps(Subnet.address("10.9.0.2"), Subnet6.address("fd01:2:3:4::2")));
    assertEquals(List.of("10.9.0.2"), Ipam.staticIps(Subnet.address("10.9.0.2"), null));
  }

  @Test
  void anIpv6HostPortNeedsIpv6OnTheNetworkAndNeverTheLoopback() {
    List<PortMapping> v6 = PortMapping.parse("[fd99::1]:8080:80");
    Ipam.checkPorts(DUAL, v6);
    Ipam.checkPorts(v4Only(), PortMapping.parse("127.0.0.1:8080:80"));
    assertEquals("-p on IPv6 address fd99::1 needs a network with IPv6; network v4 has none (create one with"
        + " 'dcont network create --ipv6')",
        assertThrows(Errors.UserError.class, () -> Ipam.checkPorts(v4Only(), v6)).getMessage());
    Errors.UserError loopback = assertThrows(Errors.UserError.class,
        () -> Ipam.checkPorts(DUAL, PortMapping.parse("[::1]:8080:80")));
    assertEquals(Errors.RUN_FAILED, loopback.code());
    assertTrue(assertThrows(Errors.UserError.class, () -> Ipam.checkPorts(DUAL, PortMapping.parse("[::]:8080:80")))
        .getMessage().startsWith("-p on [::]: "));
  }

  @Test
  void theAttachedContainerHasBothAddressesFromNetavarksAnswer() {
    Map<String, Object> status = Map.of("v6", Map.of("interfaces", Map.of("eth0", Map.of("mac_address", "aa:bb",
        "subnets", List.of(Map.of("ipnet", "10.9.0.2/24", "gateway", "10.9.0.1"),
            Map.of("ipnet", "fd01:2:3:4::2/64", "gateway", "fd01:2:3:4::1"))))));
    Lease l = new Lease("c", Path.of("/nonexistent"), "net:[1]", 1, 1, Map.of("networks", Map.of("v6",
        Map.of("interface_name", "eth0", "static_ips", List.of("10.9.0.2", "fd01:2:3:4::2"))),
        "network_info", Map.of("v6", DUAL.toMap())), status);
    ContainerNetworks.Attached a = l.attached();
    assertEquals("10.9.0.2", a.ip());
    assertEquals(24, a.prefix());
    assertEquals("10.9.0.1", a.gateway());
    assertEquals("fd01:2:3:4::2", a.ip6());
    assertEquals(64, a.prefix6());
    assertEquals("fd01:2:3:4::1", a.gateway6());
    assertEquals("aa:bb", a.mac());
  }
}
