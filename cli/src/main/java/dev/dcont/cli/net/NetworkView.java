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
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Name", d.name());
    m.put("Id", d.id());
    m.put("Created", d.created());
    m.put("Scope", "local");
    m.put("Driver", "bridge");
    m.put("EnableIPv6", false);
    Map<String, Object> pool = new LinkedHashMap<>();
    pool.put("Subnet", d.subnet().toString());
    pool.put("Gateway", Subnet.text(d.gateway()));
    m.put("IPAM", Map.of("Driver", "default", "Config", List.of(pool)));
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
      containers.put(l.id(), c);
    }
    m.put("Containers", containers);
    m.put("Options", Map.of());
    m.put("Labels", Map.of());
    return m;
  }

  /**
   * A container's {@code NetworkSettings}: each network it is attached to (while it runs, those of its lease, with
   * address, gateway and mac; stopped, those its next start attaches, with their aliases), the first one's
   * address at the top as Docker's, the published ports as bound now.
   */
  public static Map<String, Object> settings(String mode, ContainerNetworks.Request request, Lease lease) {
    ContainerNetworks.Attached a = lease == null || lease.networks().isEmpty() ? null : lease.attached();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("IPAddress", a == null ? "" : a.ip());
    m.put("IPPrefixLen", a == null ? 0 : a.prefix());
    m.put("Gateway", a == null ? "" : a.gateway());
    m.put("MacAddress", a == null ? "" : a.mac());
    m.put("SandboxKey", lease == null ? "" : lease.netns().toString());
    m.put("Ports", ports(lease == null ? request == null ? List.of() : request.ports() : lease.ports(),
        lease != null));
    Map<String, Object> nets = new LinkedHashMap<>();
    if (request == null) {
      nets.put(mode, Map.of());
    } else if (lease == null) {
      for (Endpoint e : request.endpoints()) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("NetworkID", "");
        n.put("Aliases", e.aliases());
        n.put("IPAddress", "");
        n.put("IPPrefixLen", 0);
        n.put("Gateway", "");
        n.put("MacAddress", "");
        if (e.ip() != null) {
          n.put("IPAMConfig", Map.of("IPv4Address", e.ip()));
        }
        nets.put(e.network(), n);
      }
    } else {
      for (String name : lease.networks()) {
        ContainerNetworks.Attached o = lease.attached(name);
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("NetworkID", o.network().id());
        n.put("Aliases", lease.aliases(name));
        n.put("IPAddress", o.ip());
        n.put("IPPrefixLen", o.prefix());
        n.put("Gateway", o.gateway());
        n.put("MacAddress", o.mac());
        nets.put(name, n);
      }
    }
    m.put("Networks", nets);
    return m;
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

  /** {@code docker ps}'s PORTS: {@code 0.0.0.0:8080->80/tcp, …}. */
  public static String psPorts(Lease lease) {
    if (lease == null) {
      return "";
    }
    return String.join(", ", lease.ports().stream().map(PortMapping::text).toList());
  }
}
