package dev.dcont.cli.net;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One network as podman stores it for netavark (one JSON file per network, netavark's {@code Network}): a
 * bridge {@code iface} on the host with the gateway's address, an IPv4 subnet and, on a network with IPv6
 * ({@code subnet6} not null), an IPv6 subnet with its gateway {@code gateway6}; DNS through aardvark-dns or not.
 */
public record NetworkDef(String name, String id, String iface, Subnet subnet, int gateway, Subnet6 subnet6,
    BigInteger gateway6, boolean dns, boolean internal, String created) {

  /** An IPv4-only network. */
  public NetworkDef(String name, String id, String iface, Subnet subnet, int gateway, boolean dns,
      boolean internal, String created) {
    this(name, id, iface, subnet, gateway, null, null, dns, internal, created);
  }

  public boolean ipv6() {
    return subnet6 != null;
  }

  /** The JSON netavark reads in {@code network_info} and podman keeps in {@code networks/NAME.json}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("id", id);
    m.put("driver", "bridge");
    m.put("network_interface", iface);
    m.put("created", created);
    List<Object> subnets = new ArrayList<>();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("subnet", subnet.toString());
    s.put("gateway", Subnet.text(gateway));
    subnets.add(s);
    if (subnet6 != null) {
      Map<String, Object> s6 = new LinkedHashMap<>();
      s6.put("subnet", subnet6.toString());
      s6.put("gateway", Subnet6.text(gateway6));
      subnets.add(s6);
    }
    m.put("subnets", subnets);
    m.put("ipv6_enabled", subnet6 != null);
    m.put("internal", internal);
    m.put("dns_enabled", dns);
    m.put("ipam_options", Map.of("driver", "host-local"));
    return m;
  }

  /** A network file read back; {@code what} names it in the error. */
  public static NetworkDef fromMap(Map<String, Object> m, String what) {
    try {
      Subnet subnet = null;
      int gw = 0;
      Subnet6 subnet6 = null;
      BigInteger gw6 = null;
      if (m.get("subnets") instanceof List<?> l) {
        for (Object o : l) {
          if (!(o instanceof Map<?, ?> s) || s.get("subnet") == null) {
            throw new IllegalArgumentException("a subnet without its CIDR");
          }
          String cidr = String.valueOf(s.get("subnet"));
          Object g = s.get("gateway");
          if (Subnet6.looksV6(cidr)) {
            if (subnet6 != null) {
              throw new IllegalArgumentException("two IPv6 subnets (dcont takes one of each family)");
            }
            subnet6 = Subnet6.parse(cidr);
            gw6 = g == null ? subnet6.firstHost() : Subnet6.address(String.valueOf(g));
          } else {
            if (subnet != null) {
              throw new IllegalArgumentException("two IPv4 subnets (dcont takes one of each family)");
            }
            subnet = Subnet.parse(cidr);
            gw = g == null ? subnet.firstHost() : Subnet.address(String.valueOf(g));
          }
        }
      }
      if (subnet == null) {
        throw new IllegalArgumentException("no IPv4 subnet");
      }
      if (!"bridge".equals(m.get("driver"))) {
        throw new IllegalArgumentException("driver " + m.get("driver") + " (dcont runs bridge networks)");
      }
      return new NetworkDef(str(m, "name"), str(m, "id"), str(m, "network_interface"), subnet, gw, subnet6, gw6,
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
