package dev.dcont.cli.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.model.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NetworkDefTest {
  static final NetworkDef DUAL = new NetworkDef("v6", "abc", "dcont3", Subnet.parse("10.9.0.0/24"),
      Subnet.address("10.9.0.1"), Subnet6.parse("fd01:2:3:4::/64"), Subnet6.address("fd01:2:3:4::1"), true, false,
      "2026-01-01T00:00:00Z");

  @Test
  void aNetworkWithIpv6HasBothSubnetsForNetavarkAndReadsBackAsWritten() {
    Map<String, Object> m = DUAL.toMap();
    assertEquals(true, m.get("ipv6_enabled"));
    assertEquals(List.of(Map.of("subnet", "10.9.0.0/24", "gateway", "10.9.0.1"),
        Map.of("subnet", "fd01:2:3:4::/64", "gateway", "fd01:2:3:4::1")), m.get("subnets"));
    assertEquals(DUAL, NetworkDef.fromMap(Json.readObject(Json.write(m), "t"), "t"));
  }

  @Test
  void anIpv4NetworkIsAsBefore() {
    NetworkDef v4 = new NetworkDef("b", "id", "dcont0", Subnet.parse("172.17.0.0/16"), Subnet.address("172.17.0.1"),
        false, false, "");
    assertEquals(false, v4.toMap().get("ipv6_enabled"));
    assertEquals(1, ((List<?>) v4.toMap().get("subnets")).size());
    NetworkDef back = NetworkDef.fromMap(Json.readObject(Json.write(v4.toMap()), "t"), "t");
    assertFalse(back.ipv6());
    assertNull(back.subnet6());
  }

  @Test
  void twoSubnetsOfOneFamilyOrNoIpv4OneAreRefused() {
    Map<String, Object> m = new java.util.LinkedHashMap<>(DUAL.toMap());
    m.put("subnets", List.of(Map.of("subnet", "fd01::/64"), Map.of("subnet", "fd02::/64"),
        Map.of("subnet", "10.0.0.0/24")));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NetworkDef.fromMap(m, "f")).getMessage()
        .startsWith("f: two IPv6 subnets"));
    m.put("subnets", List.of(Map.of("subnet", "fd01::/64")));
    assertEquals("f: no IPv4 subnet",
        assertThrows(IllegalArgumentException.class, () -> NetworkDef.fromMap(m, "f")).getMessage());
  }
}
