package dev.dcont.cli.net;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Networks and a container's network as {@code docker inspect}, {@code ps} and {@code port} show them. */
public final class NetworkView {
  private NetworkView() { }

  /** {@code docker network inspect}'s form of a network and the containers on it now. */
  public static Map<String, Object> network(NetworkDef d, List<Lease> leases) {
    return network(d, leases, Map.of());
  }

  /** As above, with the network's labels. */
  public static Map<String, Object> network(NetworkDef d, List<Lease> leases, Map<String, String> labels) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Name", d.name());
    m.put("Id", d.id());
    m.put("Created", d.created());
    m.put("Scope", "local");
    m.put("Driver", "bridge");
    m.put("EnableIPv6", d.ipv6());
    List<Object> pools = new ArrayList<>();
    Map<String, Object> pool = new LinkedHashMap<>();
    pool.put("Subnet", d.subnet().toString());
    pool.put("Gateway", Subnet.text(d.gateway()));
    pools.add(pool);
    if (d.ipv6()) {
      Map<String, Object> pool6 = new LinkedHashMap<>();
      pool6.put("Subnet", d.subnet6().toString());
      pool6.put("Gateway", Subnet6.text(d.gateway6()));
      pools.add(pool6);
    }
    m.put("IPAM", Map.of("Driver", "default", "Config", pools));
    m.put("Internal", d.internal());
    m.put("DNSEnabled", d.dns());
    m.put("NetworkInterface", d.iface());
    Map<String, Object> containers = new LinkedHashMap<>();
    for (Lease l : leases) {
      if (!l.networks().contains(d.name())) {
        continue;
      }
      ContainerNetworks.Attached a = l.attached(d.name());
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("Name", String.valueOf(l.options().get("container_name")));
      c.put("MacAddress", a.mac());
      c.put("IPv4Address", a.ip().isEmpty() ? "" : a.ip() + "/" + a.prefix());
      c.put("IPv6Address", a.ip6().isEmpty() ? "" : a.ip6() + "/" + a.prefix6());
      containers.put(l.id(), c);
    }
    m.put("Containers", containers);
    m.put("Options", Map.of());
    m.put("Labels", labels);
    return m;
  }

  /**
   * A container's {@code NetworkSettings}: each network it is attached to (while it runs, those of its lease, with
   * address, gateway and mac; stopped, those its next start attaches, with their aliases), the first one's
   * address at the top as Docker's, the published ports as bound now.
   */
  public static Map<String, Object> settings(String mode, ContainerNetworks.Request request, Lease lease) {
    return settings(mode, request, lease, List.of(), n -> "");
  }

  /**
   * As above, as Docker's: a port the image exposes and none publishes is in {@code Ports} with no binding; a
   * container not on its networks now (stopped) has no {@code Ports} and keeps only the IDs of its networks
   * ({@code networkIds}, by network name).
   */
  public static Map<String, Object> settings(String mode, ContainerNetworks.Request request, Lease lease,
      List<PortMapping> exposed, java.util.function.Function<String, String> networkIds) {
    ContainerNetworks.Attached a = lease == null || lease.networks().isEmpty() ? null : lease.attached();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("IPAddress", a == null ? "" : a.ip());
    m.put("IPPrefixLen", a == null ? 0 : a.prefix());
    m.put("Gateway", a == null ? "" : a.gateway());
    ipv6(m, a);
    m.put("MacAddress", a == null ? "" : a.mac());
    m.put("SandboxKey", lease == null ? "" : lease.netns().toString());
    Map<String, Object> ports = ports(lease == null ? List.of() : lease.ports(), true);
    if (lease != null) {
      for (PortMapping e : exposed) {
        ports.putIfAbsent(e.containerPort() + "/" + e.protocol(), null);
      }
    }
    m.put("Ports", ports);
    Map<String, Object> nets = new LinkedHashMap<>();
    if (request == null) {
      nets.put(mode, Map.of());
    } else if (lease == null) {
      for (Endpoint e : request.endpoints()) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("NetworkID", networkIds.apply(e.network()));
        // as Docker's API since 1.45: Aliases are the --network-alias names, DNSNames every name the network's DNS
        // answers for the container (its name, aliases, short ID and hostname), which a stopped one has none of
        n.put("Aliases", e.aliases().isEmpty() ? null : e.aliases());
        n.put("DNSNames", null);
        n.put("IPAddress", "");
        n.put("IPPrefixLen", 0);
        n.put("Gateway", "");
        ipv6(n, null);
        n.put("MacAddress", "");
        Map<String, Object> ipam = new LinkedHashMap<>();
        if (e.ip() != null) {
          ipam.put("IPv4Address", e.ip());
        }
        if (e.ip6() != null) {
          ipam.put("IPv6Address", e.ip6());
        }
        if (!ipam.isEmpty()) {
          n.put("IPAMConfig", ipam);
        }
        nets.put(e.network(), n);
      }
    } else {
      for (String name : lease.networks()) {
        ContainerNetworks.Attached o = lease.attached(name);
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("NetworkID", o.network().id());
        List<String> asked = request.endpoints().stream().filter(e -> e.network().equals(name))
            .flatMap(e -> e.aliases().stream()).toList();
        n.put("Aliases", asked.isEmpty() ? null : asked);
        n.put("DNSNames", lease.aliases(name).isEmpty() ? null : lease.aliases(name));
        n.put("IPAddress", o.ip());
        n.put("IPPrefixLen", o.prefix());
        n.put("Gateway", o.gateway());
        ipv6(n, o);
        n.put("MacAddress", o.mac());
        nets.put(name, n);
      }
    }
    m.put("Networks", nets);
    return m;
  }

  /** Docker's IPv6 fields of a container on a network: empty on a network without IPv6 and while detached. */
  private static void ipv6(Map<String, Object> m, ContainerNetworks.Attached a) {
    m.put("GlobalIPv6Address", a == null ? "" : a.ip6());
    m.put("GlobalIPv6PrefixLen", a == null ? 0 : a.prefix6());
    m.put("IPv6Gateway", a == null ? "" : a.gateway6());
  }

  /** {@code "80/tcp": [{"HostIp": …, "HostPort": …}]}; the ports as asked when {@code bound} is false. */
  public static Map<String, Object> ports(List<PortMapping> ports, boolean bound) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (PortMapping p : ports.stream().flatMap(r -> r.ports().stream()).toList()) {
      @SuppressWarnings("unchecked")
      List<Object> l = (List<Object>) out.computeIfAbsent(p.containerPort() + "/" + p.protocol(),
          k -> new ArrayList<>());
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("HostIp", bound && p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp());
      b.put("HostPort", p.hostPort() == 0 ? "" : p.hostPortEnd() != 0 ? p.hostPort() + "-" + p.hostPortEnd()
          : String.valueOf(p.hostPort()));
      l.add(b);
    }
    return out;
  }

  /** {@code docker ps}'s PORTS ({@link PsPorts}): the ports published now and those the image exposes. */
  public static String psPorts(Lease lease, List<PortMapping> exposed) {
    if (lease == null) {
      return "";
    }
    return PsPorts.text(lease.ports(), exposed);
  }
}
