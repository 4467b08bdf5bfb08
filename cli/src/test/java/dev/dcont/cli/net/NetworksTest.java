package dev.dcont.cli.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.cli.Errors;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworksTest {
  @TempDir
  Path root;

  private Networks networks() {
    return new Networks(new NetPaths(root));
  }

  private String refused(List<String> subnets, List<String> gateways, boolean ipv6) {
    return assertThrows(Errors.UserError.class, () -> networks().create("n", subnets, gateways, ipv6, false))
        .getMessage();
  }

  @Test
  void ipv6AllocatesARandomUniqueLocal64BesideTheIpv4Subnet() {
    NetworkDef a = networks().create("a", List.of(), List.of(), true, false);
    assertTrue(a.ipv6());
    assertEquals(64, a.subnet6().prefix());
    assertTrue(a.subnet6().toString().startsWith("fd"), a.subnet6().toString());
    assertEquals(a.subnet6().firstHost(), a.gateway6());
    assertEquals(24, a.subnet().prefix());
    NetworkDef b = networks().create("b", List.of(), List.of(), true, false);
    assertNotEquals(a.subnet6(), b.subnet6());
    assertEquals(a, networks().find("a").orElseThrow(), "as written");
    assertFalse(networks().create("c", List.of(), List.of(), false, false).ipv6());
  }

  @Test
  void anIpv6SubnetGivenImpliesIpv6AndTakesItsGateway() {
    NetworkDef d = networks().create("d", List.of("10.77.0.0/24", "fd00:77::/64"),
        List.of("fd00:77::fe", "10.77.0.254"), false, false);
    assertEquals("fd00:77::/64", d.subnet6().toString());
    assertEquals("fd00:77::fe", Subnet6.text(d.gateway6()));
    assertEquals("10.77.0.0/24", d.subnet().toString());
    assertEquals("10.77.0.254", Subnet.text(d.gateway()));
  }

  @Test
  void subnetsAndGatewaysThatDoNotFitAreOneLine() {
    assertEquals("--subnet fd00:1::/64 and --subnet fd00:2::/64: one IPv4 and one IPv6 --subnet at most",
        refused(List.of("fd00:1::/64", "fd00:2::/64"), List.of(), true));
    assertEquals("--subnet 10.1.0.0/24 and --subnet 10.2.0.0/24: one IPv4 and one IPv6 --subnet at most",
        refused(List.of("10.1.0.0/24", "10.2.0.0/24"), List.of(), false));
    assertEquals("gateway fd00:2::1 is not a host address of subnet fd00:1::/64",
        refused(List.of("fd00:1::/64"), List.of("fd00:2::1"), false));
    assertEquals("--gateway fd00:2::1 is an IPv6 address on a network without IPv6 (add --ipv6 and an IPv6"
        + " --subnet)", refused(List.of(), List.of("fd00:2::1"), false));
    assertEquals("invalid IPv6 address 'fd00::g'", refused(List.of("fd00::g/64"), List.of(), true));
    networks().create("x", List.of("fd00:1::/64"), List.of(), true, false);
    assertEquals("subnet fd00:1::/80 overlaps network x's fd00:1::/64 (choose another --subnet)",
        refused(List.of("fd00:1::/80"), List.of(), true));
  }
}
