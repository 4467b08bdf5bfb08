package dev.dcont.cli.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.cli.Errors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PortMappingTest {

  @Test
  void aRangeWithHostPortsIsOneMappingOfThatRange() {
    assertEquals(List.of(new PortMapping("", 8080, 80, "tcp", 2)), PortMapping.parse("8080-8081:80-81"));
    assertEquals(List.of(new PortMapping("127.0.0.1", 8080, 80, "udp", 2)),
        PortMapping.parse("127.0.0.1:8080-8081:80-81/udp"));
    assertEquals(List.of(new PortMapping("", 9000, 9000, "tcp", 1)), PortMapping.parse("9000-9000:9000-9000"));
  }

  @Test
  void aRangeWithoutHostPortsIsOnePortEachToAFreeHostPort() {
    assertEquals(List.of(new PortMapping("", 0, 80, "tcp"), new PortMapping("", 0, 81, "tcp")),
        PortMapping.parse("80-81"));
    assertEquals(List.of(new PortMapping("10.0.0.1", 0, 53, "udp"), new PortMapping("10.0.0.1", 0, 54, "udp")),
        PortMapping.parse("10.0.0.1::53-54/udp"));
  }

  @Test
  void singlePortsAreAsBefore() {
    assertEquals(List.of(new PortMapping("", 8080, 80, "tcp")), PortMapping.parse("8080:80"));
    assertEquals(List.of(new PortMapping("", 0, 80, "tcp")), PortMapping.parse("80"));
    assertEquals(List.of(new PortMapping("", 53, 53, "udp")), PortMapping.parse("0.0.0.0:53:53/UDP"));
  }

  @Test
  void mismatchedRangesAreRefusedInDockersWords() {
    Errors.UserError e = assertThrows(Errors.UserError.class, () -> PortMapping.parse("8080-8082:80-81"));
    assertEquals("invalid ranges specified for container and host Ports: 80-81 and 8080-8082", e.getMessage());
    assertEquals(Errors.RUN_FAILED, e.code());
    e = assertThrows(Errors.UserError.class, () -> PortMapping.parse("81-80"));
    assertTrue(e.getMessage().startsWith("invalid containerPort: 81-80"), e.getMessage());
    e = assertThrows(Errors.UserError.class, () -> PortMapping.parse("8081-8080:80-81"));
    assertTrue(e.getMessage().startsWith("invalid hostPort: 8081-8080"), e.getMessage());
    for (String bad : new String[] {"80-", "-80", "80-x", "1-65536", "8080-8081:80-81/sctp"}) {
      Errors.UserError b = assertThrows(Errors.UserError.class, () -> PortMapping.parse(bad), bad);
      assertFalse(b.getMessage().contains("\n"), b.getMessage());
    }
  }

  @Test
  void aRangeIsShownAsDockerPsShowsItAndListedPortByPort() {
    PortMapping r = PortMapping.parse("127.0.0.1:8080-8081:80-81/udp").get(0);
    assertEquals("127.0.0.1:8080-8081->80-81/udp", r.text());
    assertEquals(List.of(new PortMapping("127.0.0.1", 8080, 80, "udp"), new PortMapping("127.0.0.1", 8081, 81, "udp")),
        r.ports());
    assertEquals(r, PortMapping.fromMap(r.toMap()));
    assertEquals(2, r.toMap().get("range"));
    assertEquals(new PortMapping("", 1, 2, "tcp"),
        PortMapping.fromMap(Map.of("host_port", 1, "container_port", 2, "protocol", "tcp")));
    assertEquals("80/tcp", String.join(",", NetworkView.ports(List.of(PortMapping.parse("8080-8081:80-81").get(0)),
        true).keySet()).substring(0, 6));
    assertEquals(2, NetworkView.ports(List.of(PortMapping.parse("8080-8081:80-81").get(0)), true).size());
  }

  @Test
  void rangesClashWhenTheyOverlap() {
    PortMapping r = PortMapping.parse("8080-8089:80-89").get(0);
    assertTrue(r.clashes(PortMapping.parse("8089:80").get(0)));
    assertTrue(PortMapping.parse("8000-8080:1000-1080").get(0).clashes(r));
    assertFalse(r.clashes(PortMapping.parse("8090:80").get(0)));
    assertFalse(r.clashes(PortMapping.parse("8080:80/udp").get(0)));
    assertFalse(r.clashes(PortMapping.parse("127.0.0.1:8079:80").get(0)));
  }

  @Test
  void aHostRangeForOneContainerPortAsksForAFreePortInIt() {
    PortMapping p = PortMapping.parse("127.0.0.1:8080-8090:80").get(0);
    assertEquals(new PortMapping("127.0.0.1", 8080, 80, "tcp", 1, 8090), p);
    assertEquals(p, PortMapping.fromMap(p.toMap()));
    assertEquals(new PortMapping("127.0.0.1", 8085, 80, "tcp"), p.withHostPort(8085));
    assertFalse(p.withHostPort(8085).toMap().containsKey("host_port_end"), "netavark gets the port picked");
    assertEquals("8080-8090", ((Map<?, ?>) ((List<?>) NetworkView.ports(List.of(p), false).get("80/tcp")).get(0))
        .get("HostPort"));
  }

  @Test
  void dockerPortTakesOnePort() {
    assertEquals(new PortMapping("", 0, 80, "udp"), PortMapping.single("80/udp"));
    assertThrows(Errors.UserError.class, () -> PortMapping.single("80-81"));
  }

  @Test
  void anIpv6HostAddressIsTakenInBracketsOrBareAndShownInBrackets() {
    assertEquals(List.of(new PortMapping("::1", 8080, 80, "tcp")), PortMapping.parse("[::1]:8080:80"));
    assertEquals(List.of(new PortMapping("fd00::5", 8080, 80, "udp")),
        PortMapping.parse("[FD00:0::5]:8080:80/udp"));
    assertEquals(List.of(new PortMapping("fd00::5", 0, 80, "tcp")), PortMapping.parse("fd00::5::80"));
    assertEquals(List.of(new PortMapping("fd00::5", 0, 80, "tcp")), PortMapping.parse("[fd00::5]::80"));
    PortMapping p = PortMapping.parse("[fd00::5]:8080-8081:80-81").get(0);
    assertEquals("[fd00::5]:8080-8081->80-81/tcp", p.text());
    assertEquals("[fd00::5]", p.hostText());
    assertEquals("0.0.0.0", PortMapping.parse("8080:80").get(0).hostText());
    Errors.UserError e = assertThrows(Errors.UserError.class, () -> PortMapping.parse("[fd00::x]:8080:80"));
    assertEquals("invalid -p [fd00::x]:8080:80: invalid IPv6 address 'fd00::x'; the form is"
        + " [IP:][HOSTPORT[-END]:]CONTAINERPORT[-END][/tcp|/udp]", e.getMessage());
  }
}
