package dev.dcont.cli.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** ps's PORTS column against what the Docker CLI prints for the same ports. */
class PsPortsTest {
  private static PortMapping tcp(String ip, int host, int container) {
    return new PortMapping(ip, host, container, "tcp");
  }

  @Test
  void portsAreInDockersOrderWithThoseOnOtherHostPortsLast() {
    List<PortMapping> bound = List.of(tcp("", 8080, 80), tcp("127.0.0.1", 8081, 80), tcp("", 46323, 80),
        new PortMapping("", 9000, 53, "udp"), tcp("", 443, 443));
    assertEquals("0.0.0.0:443->443/tcp, 0.0.0.0:9000->53/udp, 0.0.0.0:8080->80/tcp, 0.0.0.0:46323->80/tcp,"
        + " 127.0.0.1:8081->80/tcp", PsPorts.text(bound, List.of()));
  }

  @Test
  void exposedPortsThatNoneGivesAHostPortAreShownBare() {
    List<PortMapping> exposed = List.of(tcp("", 0, 80), tcp("", 0, 81), tcp("", 0, 443),
        new PortMapping("", 0, 53, "udp"));
    // Docker's order: a group that a later port of its protocol ends comes first
    assertEquals("80-81/tcp, 53/udp, 443/tcp", PsPorts.text(List.of(), exposed));
    assertEquals("81/tcp, 53/udp, 443/tcp, 0.0.0.0:8080->80/tcp", PsPorts.text(List.of(tcp("", 8080, 80)), exposed));
  }

  @Test
  void consecutivePortsOnTheSameHostPortsAreGrouped() {
    List<PortMapping> bound = List.of(tcp("", 80, 80), tcp("", 81, 81), tcp("", 83, 83),
        new PortMapping("", 90, 90, "tcp", 2), new PortMapping("127.0.0.1", 8080, 80, "tcp", 2));
    assertEquals("0.0.0.0:80-81->80-81/tcp, 0.0.0.0:83->83/tcp, 0.0.0.0:90-91->90-91/tcp,"
        + " 127.0.0.1:8080-8081->80-81/tcp", PsPorts.text(bound, List.of()));
  }

  @Test
  void anIPv6HostAddressIsInBrackets() {
    assertEquals("[fd99::1]:80->80/tcp, [fd99::1]:8080->81/tcp",
        PsPorts.text(List.of(tcp("fd99::1", 8080, 81), tcp("fd99::1", 80, 80)), List.of()));
  }
}
