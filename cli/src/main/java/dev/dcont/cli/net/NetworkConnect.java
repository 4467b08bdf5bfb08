package dev.dcont.cli.net;

import dev.dcont.cli.Errors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code network connect|disconnect}, as podman's. The container's configuration ({@link NetworkConfig}: the
 * networks it is attached to at its start, eth0 first, with their aliases and addresses asked for) gains or loses
 * the network, running or not, so that its next start sets up exactly those. A running container
 * is also changed now: netavark {@code setup} (or {@code teardown}) in its existing namespace with only that
 * network's options and the container's published ports (which netavark forwards to its address on that network
 * too), under the network lock. The network is merged into (or dropped from) the container's one lease (its
 * {@code networks}, {@code network_info} and {@code status} are keyed by network), so that IPAM sees the address,
 * and {@code rm} and the sweep, which tear down the whole lease, release it with the rest.
 */
public final class NetworkConnect {
  private final NetPaths paths;
  private final ContainerNetworks cn;
  private final Path bundle;

  /** Changes the container whose bundle is {@code bundle}. */
  public NetworkConnect(ContainerNetworks cn, Path storeRoot, Path bundle) {
    this.cn = cn;
    this.paths = new NetPaths(storeRoot);
    this.bundle = bundle;
  }

  /** The store's networks and the containers on them. */
  public ContainerNetworks networks() {
    return cn;
  }

  /**
   * What a change did to a running container: its addresses on the network (IPv4, and IPv6 on a network with it)
   * and that network's name servers (aardvark-dns), for its /etc/hosts and /etc/resolv.conf; null for a stopped
   * container, whose etc files its next start writes.
   */
  public record Change(List<String> addresses, List<String> dnsServers) { }

  /** Attaches container {@code id} (named {@code name}) to {@code net}, now when it runs, else at its next start. */
  public Change connect(String id, String name, String hostname, boolean running, NetworkDef net,
      List<String> aliases, String ip, String ip6) {
    try (FileLock lock = cn.lock()) {
      running = running || starting(id);
      NetworkConfig.Stored conf = configOf(name);
      List<Endpoint> endpoints = new ArrayList<>(conf.request().endpoints());
      if (Endpoint.on(endpoints, net.name())) {
        throw new Errors.UserError("endpoint with name " + name + " already exists in network " + net.name());
      }
      Change change = null;
      if (running) {
        change = connectRunning(id, name, hostname, net, aliases, ip, ip6);
      } else {
        // refused now as they would be at the start: an address out of the subnet, an IPv6 one without IPv6
        if (ip != null) {
          Ipam.address(net, ip, List.of());
        }
        Ipam.address6(net, ip6, List.of());
      }
      endpoints.add(new Endpoint(net.name(), aliases, ip, ip6));
      NetworkConfig.write(bundle, conf.withEndpoints(endpoints));
      return change;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Detaches container {@code id} from {@code network}, now when it runs, and for its next starts. */
  public Change disconnect(String id, String name, boolean running, String network) {
    try (FileLock lock = cn.lock()) {
      running = running || starting(id);
      NetworkConfig.Stored conf = configOf(name);
      List<Endpoint> endpoints = conf.request().endpoints();
      Change change = null;
      if (running) {
        change = disconnectRunning(id, name, network);
      } else if (!Endpoint.on(endpoints, network)) {
        throw new Errors.UserError("container " + name + " is not connected to network " + network);
      }
      NetworkConfig.write(bundle, conf.withEndpoints(Endpoint.without(endpoints, network)));
      return change;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether another process attached container {@code id} since the caller judged it stopped: a {@code start} under
   * way, which set up its networks under the lock held now, so the change is made to its namespace too.
   */
  boolean starting(String id) {
    return cn.lease(id).filter(l -> l.pid() != ProcessHandle.current().pid() && l.attacherAlive()).isPresent();
  }

  private Change connectRunning(String id, String name, String hostname, NetworkDef net, List<String> aliases,
      String ip, String ip6) throws IOException {
    Lease lease = leaseOf(id, name);
    Map<String, Object> nets = map(lease.options().get("networks"));
    if (nets.containsKey(net.name())) {
      throw new Errors.UserError("endpoint with name " + name + " already exists in network " + net.name());
    }
    List<Lease> leases = cn.leases();
    List<String> addrs = Ipam.staticIps(Ipam.address(net, ip, leases), Ipam.address6(net, ip6, leases));
    Map<String, Object> perNet = NetavarkOptions.perNetwork("eth" + nextInterface(nets), addrs, net, id, name,
        aliases, hostname);
    Map<String, Object> answer = new Netavark(paths).setup(lease.netns(),
        single(lease, net.name(), perNet, net.toMap()));
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
    return new Change(addrs, dnsServers(answer, net.name()));
  }

  /** Any of the container's networks, the one it was started on (eth0) too, as podman and Docker allow. */
  private Change disconnectRunning(String id, String name, String network) throws IOException {
    Lease lease = leaseOf(id, name);
    Map<String, Object> nets = map(lease.options().get("networks"));
    if (!nets.containsKey(network)) {
      throw new Errors.UserError("container " + name + " is not connected to network " + network);
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
    List<String> servers = dnsServers(status, network);
    status.remove(network);
    LeaseFiles.write(paths, new Lease(id, lease.netns(), lease.hostNetns(), lease.pid(), lease.pidStart(),
        options, status));
    List<String> addrs = new ArrayList<>(List.of(Subnet.text(lease.address(network))));
    if (lease.address6(network) != null) {
      addrs.add(Subnet6.text(lease.address6(network)));
    }
    return new Change(addrs, servers);
  }

  private Lease leaseOf(String id, String name) {
    Optional<Lease> l = cn.lease(id);
    if (l.isEmpty() || l.get().status() == null) {
      throw new Errors.UserError("container " + name + " is not running on a bridge network (host and none"
          + " containers cannot be connected)");
    }
    if (!l.get().hostNetns().equals(LeaseFiles.hostNetns())) {
      throw new Errors.UserError("container " + name + "'s network was made in another network namespace;"
          + " run this command there");
    }
    return l.get();
  }

  /** The container's network configuration; one line when it has none (run with --network host or none). */
  private NetworkConfig.Stored configOf(String name) throws IOException {
    NetworkConfig.Stored conf = NetworkConfig.read(bundle);
    if (conf == null) {
      throw new Errors.UserError("container " + name + " has no network of its own (it was run with --network"
          + " host or none) and cannot be connected to or disconnected from a network");
    }
    return conf;
  }

  /**
   * The options of {@code lease} narrowed to one network, with the container's published ports, as podman's
   * connect and disconnect give them: netavark forwards them to the container's address on that network too, and
   * its teardown of that network removes those rules alone.
   */
  private static Map<String, Object> single(Lease lease, String network, Map<String, Object> perNet,
      Map<String, Object> def) {
    Object ports = lease.options().get("port_mappings");
    return NetavarkOptions.options(String.valueOf(lease.options().get("container_id")),
        String.valueOf(lease.options().get("container_name")), Map.of(network, perNet), Map.of(network, def),
        ports == null ? List.of() : ports, lease.options().get("dns_servers"));
  }

  private static List<String> dnsServers(Map<String, Object> status, String network) {
    if (status.get(network) instanceof Map<?, ?> block && block.get("dns_server_ips") instanceof List<?> l) {
      return l.stream().map(String::valueOf).toList();
    }
    return List.of();
  }

  /** The first ethN that none of {@code nets} uses, as podman names a connected network's interface. */
  static int nextInterface(Map<String, Object> nets) {
    java.util.Set<String> used = new java.util.HashSet<>();
    for (Object per : nets.values()) {
      if (per instanceof Map<?, ?> m && m.get("interface_name") != null) {
        used.add(String.valueOf(m.get("interface_name")));
      }
    }
    int n = 0;
    while (used.contains("eth" + n)) {
      n++;
    }
    return n;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }
}
