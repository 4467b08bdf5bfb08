package dev.dcont.cli.net;

import dev.dcont.cli.Errors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileLock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code network connect|disconnect} of a running container, as podman's: netavark {@code setup} (or
 * {@code teardown}) in the container's existing namespace with only that network's options, under the network
 * lock. The network is merged into the container's one lease (its {@code networks}, {@code network_info} and
 * {@code status} are keyed by network), so that IPAM sees the address, and {@code rm} and the sweep, which tear down
 * the whole lease, release it with the rest.
 */
public final class NetworkConnect {
  private final NetPaths paths;
  private final ContainerNetworks cn;

  public NetworkConnect(ContainerNetworks cn, java.nio.file.Path storeRoot) {
    this.cn = cn;
    this.paths = new NetPaths(storeRoot);
  }

  /**
   * Attaches container {@code id} (named {@code name}) to {@code net}, at {@code ip} and {@code ip6} when given;
   * returns its addresses there (IPv4, and IPv6 on a network with it).
   */
  public List<String> connect(String id, String name, NetworkDef net, List<String> aliases, String ip, String ip6) {
    try (FileLock lock = cn.lock()) {
      Lease lease = leaseOf(id, name);
      Map<String, Object> nets = map(lease.options().get("networks"));
      if (nets.containsKey(net.name())) {
        throw new Errors.UserError("endpoint with name " + name + " already exists in network " + net.name());
      }
      List<Lease> leases = cn.leases();
      List<String> addrs = Ipam.staticIps(Ipam.address(net, ip, leases), Ipam.address6(net, ip6, leases));
      Map<String, Object> perNet = new LinkedHashMap<>();
      perNet.put("interface_name", "eth" + nextInterface(nets));
      perNet.put("static_ips", addrs);
      if (net.dns()) {
        List<String> names = new ArrayList<>(List.of(name));
        aliases.stream().filter(a -> !names.contains(a)).forEach(names::add);
        perNet.put("aliases", names);
      }
      Map<String, Object> one = single(lease, net.name(), perNet, net.toMap());
      Map<String, Object> answer = new Netavark(paths).setup(lease.netns(), one);
      Map<String, Object> options = new LinkedHashMap<>(lease.options());
      Map<String, Object> allNets = new LinkedHashMap<>(nets);
      allNets.put(net.name(), perNet);
      options.put("networks", allNets);
      Map<String, Object> info = new LinkedHashMap<>(map(lease.options().get("network_info")));
      info.put(net.name(), net.toMap());
      options.put("network_info", info);
      Map<String, Object> status = new LinkedHashMap<>(map(lease.status()));
      status.putAll(answer);
      LeaseFiles.write(paths, new Lease(id, lease.netns(), lease.hostNetns(), lease.pid(), lease.pidStart(),
          options, status));
      return addrs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Detaches container {@code id} from {@code network}, returning its addresses there; the network it was started
   * on stays as it is.
   */
  public List<String> disconnect(String id, String name, String network) {
    try (FileLock lock = cn.lock()) {
      Lease lease = leaseOf(id, name);
      Map<String, Object> nets = map(lease.options().get("networks"));
      if (!nets.containsKey(network)) {
        throw new Errors.UserError("container " + name + " is not connected to network " + network);
      }
      if (lease.network().equals(network)) {
        throw new Errors.UserError("container " + name + " was started on network " + network
            + "; only networks connected later can be disconnected (stop it or remove it instead)");
      }
      Map<String, Object> info = map(lease.options().get("network_info"));
      new Netavark(paths).teardown(lease.netns(),
          single(lease, network, map(nets.get(network)), map(info.get(network))));
      Map<String, Object> options = new LinkedHashMap<>(lease.options());
      Map<String, Object> rest = new LinkedHashMap<>(nets);
      rest.remove(network);
      options.put("networks", rest);
      Map<String, Object> restInfo = new LinkedHashMap<>(info);
      restInfo.remove(network);
      options.put("network_info", restInfo);
      Map<String, Object> status = new LinkedHashMap<>(map(lease.status()));
      status.remove(network);
      LeaseFiles.write(paths, new Lease(id, lease.netns(), lease.hostNetns(), lease.pid(), lease.pidStart(),
          options, status));
      List<String> addrs = new ArrayList<>(List.of(Subnet.text(lease.address(network))));
      if (lease.address6(network) != null) {
        addrs.add(Subnet6.text(lease.address6(network)));
      }
      return addrs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Lease leaseOf(String id, String name) {
    Optional<Lease> l = cn.lease(id);
    if (l.isEmpty() || l.get().status() == null) {
      throw new Errors.UserError("container " + name + " is not running on a bridge network (host, none and"
          + " stopped containers cannot be connected)");
    }
    if (!l.get().hostNetns().equals(ContainerNetworks.hostNetns())) {
      throw new Errors.UserError("container " + name + "'s network was made in another network namespace;"
          + " run this command there");
    }
    return l.get();
  }

  /** The options of {@code lease} narrowed to one network, without ports (those belong to the first network). */
  private static Map<String, Object> single(Lease lease, String network, Map<String, Object> perNet,
      Map<String, Object> def) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("container_id", lease.options().get("container_id"));
    o.put("container_name", lease.options().get("container_name"));
    o.put("networks", Map.of(network, perNet));
    o.put("network_info", Map.of(network, def));
    o.put("port_mappings", List.of());
    if (lease.options().get("dns_servers") != null) {
      o.put("dns_servers", lease.options().get("dns_servers"));
    }
    return o;
  }

  static int nextInterface(Map<String, Object> nets) {
    int n = 0;
    for (Object per : nets.values()) {
      Object name = per instanceof Map<?, ?> m ? m.get("interface_name") : null;
      if (name != null && String.valueOf(name).startsWith("eth")) {
        try {
          n = Math.max(n, Integer.parseInt(String.valueOf(name).substring(3)) + 1);
        } catch (NumberFormatException ignored) {
          // not one of ours
        }
      }
    }
    return n;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }
}
