package dev.dcont.cli.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class Subnet6Test {

  @Test
  void addressesAreReadInEveryFormAndWrittenAsRfc5952Says() {
    String[][] cases = {
        {"::1", "::1"}, {"::", "::"}, {"fd00::", "fd00::"}, {"FD00:0:0:0:0:0:0:1", "fd00::1"},
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, {"2001:db8::0:1", "2001:db8::1"},
        {"2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"},
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, {"::ffff:10.0.0.1", "::ffff:a00:1"},
        {"fd12:3456:789a:1::2", "fd12:3456:789a:1::2"}, {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},
    };
    for (String[] c : cases) {
      assertEquals(c[1], Subnet6.text(Subnet6.address(c[0])), c[0]);
    }
    assertEquals(BigInteger.ONE, Subnet6.address("::1"));
  }

  @Test
  void badAddressesAreOneLine() {
    for (String bad : new String[] {"", ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::",
        "g::1", "1:2:3:4:5:6:7::8", "::1.2.3", "1.2.3.4::", "fd00::+1", "fd00:", ":fd00::"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Subnet6.address(bad), bad);
      assertEquals("invalid IPv6 address '" + bad + "'", e.getMessage());
    }
  }

  @Test
  void subnetsAreNormalisedAndKnowTheirHostsAndOverlaps() {
    Subnet6 s = Subnet6.parse("fd00:1:2:3::5/64");
    assertEquals("fd00:1:2:3::/64", s.toString());
    assertEquals("fd00:1:2:3::1", Subnet6.text(s.firstHost()));
    assertEquals("fd00:1:2:3:ffff:ffff:ffff:fffe", Subnet6.text(s.lastHost()));
    assertTrue(s.contains(Subnet6.address("fd00:1:2:3:abcd::9")));
    assertFalse(s.contains(Subnet6.address("fd00:1:2:4::1")));
    assertTrue(s.overlaps(Subnet6.parse("fd00:1::/32")));
    assertTrue(Subnet6.parse("fd00:1::/32").overlaps(s));
    assertFalse(s.overlaps(Subnet6.parse("fd00:1:2:4::/64")));
    assertThrows(IllegalArgumentException.class, () -> Subnet6.parse("fd00::/127"));
    assertThrows(IllegalArgumentException.class, () -> Subnet6.parse("fd00::/x"));
    assertThrows(IllegalArgumentException.class, () -> Subnet6.parse("fd00::"));
  }

  @Test
  void aUniqueLocalSubnetIsFdAnd56GivenBitsAsA64() {
    byte[] random = {(byte) 0x12, 0x34, 0x56, 0x78, (byte) 0x9a, (byte) 0xbc, (byte) 0xde, (byte) 0xff};
    assertEquals("fd12:3456:789a:bcde::/64", Subnet6.ula(random).toString());
    assertEquals("fd00::/64", Subnet6.ula(new byte[7]).toString());
  }

  @Test
  void aDefaultRouteIsNoSubnetToAvoid() {
    for (Subnet6 r : Routes.ipv6()) {
      assertTrue(r.prefix() >= 8, r.toString());
    }
  }
}
