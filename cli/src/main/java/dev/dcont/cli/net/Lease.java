package dev.dcont.cli.net;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's hold on its network: the options given to netavark (its networks, static address, aliases and
 * port mappings, which teardown needs again), netavark's answer once set up ({@code status}), the namespace,
 * the network namespace netavark acted in and the process (pid and start time) that attached it.
 */
public record Lease(String id, Path netns, String hostNetns, long pid, long pidStart, Map<String, Object> options,
    Map<String, Object> status) {

  Lease withStatus(Map<String, Object> s) {
    return new Lease(id, netns, hostNetns, pid, pidStart, options, s);
  }

  /** Whether the process that attached the container still runs (it may still be starting it). */
  public boolean attacherAlive() {
    return ProcessHandle.of(pid).map(h -> LeaseFiles.startOf(h) == pidStart).orElse(false);
  }

  /** Waits up to {@code max} for the process that attached the container to end (it may still be starting it). */
  public void awaitAttacher(java.time.Duration max) {
    ProcessHandle.of(pid).filter(h -> LeaseFiles.startOf(h) == pidStart).ifPresent(h -> {
      try {
        h.onExit().get(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        // still there: the lease stays for a later command's sweep
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** The container's IPv4 address on network {@code name}, or null when it is not on it. */
  Integer address(String name) {
    String a = staticIp(name, false);
    return a == null ? null : Subnet.address(a);
  }

  /** The container's IPv6 address on network {@code name}, or null when it has none there. */
  BigInteger address6(String name) {
    String a = staticIp(name, true);
    return a == null ? null : Subnet6.address(a);
  }

  private String staticIp(String name, boolean v6) {
    Object nets = options.get("networks");
    if (nets instanceof Map<?, ?> m && m.get(name) instanceof Map<?, ?> per
        && per.get("static_ips") instanceof List<?> ips) {
      for (Object ip : ips) {
        if (Subnet6.looksV6(String.valueOf(ip)) == v6) {
          return String.valueOf(ip);
        }
      }
    }
    return null;
  }

  public String network() {
    Object nets = options.get("networks");
    return nets instanceof Map<?, ?> m && !m.isEmpty() ? String.valueOf(m.keySet().iterator().next()) : "";
  }

  public List<String> aliases() {
    return aliases(network());
  }

  /** The container's names on network {@code name} (none on a network without names). */
  public List<String> aliases(String name) {
    Object nets = options.get("networks");
    if (nets instanceof Map<?, ?> m && m.get(name) instanceof Map<?, ?> per
        && per.get("aliases") instanceof List<?> a) {
      return a.stream().map(String::valueOf).toList();
    }
    return List.of();
  }

  public List<PortMapping> ports() {
    List<PortMapping> out = new ArrayList<>();
    if (options.get("port_mappings") instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Map<?, ?> m) {
          out.add(PortMapping.fromMap(m));
        }
      }
    }
    return out;
  }

  /** The attached container as netavark answered: addresses, prefixes, gateways, mac and name servers. */
  ContainerNetworks.Attached attached(NetworkDef net) {
    String ip = "";
    int prefix = net.subnet().prefix();
    String gateway = "";
    String ip6 = "";
    int prefix6 = 0;
    String gateway6 = "";
    String mac = "";
    List<String> dns = new ArrayList<>();
    if (status != null && status.get(net.name()) instanceof Map<?, ?> block) {
      if (block.get("interfaces") instanceof Map<?, ?> ifs && ifs.get(iface(net.name())) instanceof Map<?, ?> eth) {
        mac = String.valueOf(eth.get("mac_address"));
        List<?> subnets = eth.get("subnets") instanceof List<?> l ? l : List.of();
        for (Object o : subnets) {
          if (!(o instanceof Map<?, ?> s)) {
            continue;
          }
          String ipnet = String.valueOf(s.get("ipnet"));
          int slash = ipnet.indexOf('/');
          String a = slash < 0 ? ipnet : ipnet.substring(0, slash);
          String gw = s.get("gateway") == null ? "" : String.valueOf(s.get("gateway"));
          if (Subnet6.looksV6(a)) {
            ip6 = a;
            prefix6 = slash < 0 ? 0 : Integer.parseInt(ipnet.substring(slash + 1));
            gateway6 = gw;
          } else {
            ip = a;
            prefix = slash < 0 ? prefix : Integer.parseInt(ipnet.substring(slash + 1));
            gateway = gw;
          }
        }
      }
      if (block.get("dns_server_ips") instanceof List<?> servers) {
        servers.forEach(x -> dns.add(String.valueOf(x)));
      }
    }
    return new ContainerNetworks.Attached(netns, net, ip, prefix, gateway, ip6, prefix6, gateway6, mac, dns, ports());
  }

  /** The container's interface on network {@code name}: eth0 on the one it started on, ethN on those connected. */
  private String iface(String name) {
    if (options.get("networks") instanceof Map<?, ?> m && m.get(name) instanceof Map<?, ?> per
        && per.get("interface_name") != null) {
      return String.valueOf(per.get("interface_name"));
    }
    return "eth0";
  }

  /** Every network the container is on, the one it started on first. */
  public List<String> networks() {
    return options.get("networks") instanceof Map<?, ?> m ? m.keySet().stream().map(String::valueOf).toList()
        : List.of();
  }

  /** The attached container for inspect and /etc/hosts, from the lease alone. */
  public ContainerNetworks.Attached attached() {
    return attached(network());
  }

  /** The container as attached to network {@code name} (one of {@link #networks}), from the lease alone. */
  public ContainerNetworks.Attached attached(String name) {
    Object info = options.get("network_info");
    if (info instanceof Map<?, ?> m && m.get(name) instanceof Map<?, ?> def) {
      @SuppressWarnings("unchecked")
      Map<String, Object> d = (Map<String, Object>) def;
      return attached(NetworkDef.fromMap(d, "lease " + id));
    }
    throw new IllegalArgumentException("lease " + id + ": no network_info");
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("netns", netns.toString());
    m.put("host_netns", hostNetns);
    m.put("pid", pid);
    m.put("pid_start", pidStart);
    m.put("options", options);
    if (status != null) {
      m.put("status", status);
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  static Lease fromMap(Map<String, Object> m) {
    return new Lease(String.valueOf(m.get("id")), Path.of(String.valueOf(m.get("netns"))),
        String.valueOf(m.get("host_netns")), ((Number) m.get("pid")).longValue(),
        ((Number) m.get("pid_start")).longValue(), (Map<String, Object>) m.get("options"),
        (Map<String, Object>) m.get("status"));
  }
}
