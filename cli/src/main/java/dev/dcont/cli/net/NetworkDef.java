package dev.dcont.cli.net;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One network as podman stores it for netavark (one JSON file per network, netavark's {@code Network}): a
 * bridge {@code iface} on the host with the gateway's address, an IPv4 subnet, DNS through aardvark-dns or not.
 */
public record NetworkDef(String name, String id, String iface, Subnet subnet, int gateway, boolean dns,
    boolean internal, String created) {

  /** The JSON netavark reads in {@code network_info} and podman keeps in {@code networks/NAME.json}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("id", id);
    m.put("driver", "bridge");
    m.put("network_interface", iface);
    m.put("created", created);
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("subnet", subnet.toString());
    s.put("gateway", Subnet.text(gateway));
    m.put("subnets", List.of(s));
    m.put("ipv6_enabled", false);
    m.put("internal", internal);
    m.put("dns_enabled", dns);
    m.put("ipam_options", Map.of("driver", "host-local"));
    return m;
  }

  /** A network file read back; {@code what} names it in the error. */
  public static NetworkDef fromMap(Map<String, Object> m, String what) {
    try {
      Object subnets = m.get("subnets");
      if (!(subnets instanceof List<?> l) || l.isEmpty() || !(l.get(0) instanceof Map<?, ?> s)) {
        throw new IllegalArgumentException("no subnet");
      }
      Subnet subnet = Subnet.parse(String.valueOf(s.get("subnet")));
      int gw = s.get("gateway") == null ? subnet.firstHost() : Subnet.address(String.valueOf(s.get("gateway")));
      if (!"bridge".equals(m.get("driver"))) {
        throw new IllegalArgumentException("driver " + m.get("driver") + " (dcont runs bridge networks)");
      }
      return new NetworkDef(str(m, "name"), str(m, "id"), str(m, "network_interface"), subnet, gw,
          Boolean.TRUE.equals(m.get("dns_enabled")), Boolean.TRUE.equals(m.get("internal")),
          m.get("created") == null ? "" : String.valueOf(m.get("created")));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage());
    }
  }

  private static String str(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof String s) || s.isEmpty()) {
      throw new IllegalArgumentException("no " + key);
    }
    return s;
  }
}
