package dev.dcont.cli.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Containers on networks: what podman's libnetwork does around netavark. Attaching a container takes the store's
 * network lock (held across netavark, as podman holds its own: netavark's changes to one bridge and its firewall
 * rules are not made for concurrent callers), sweeps leases whose containers are gone, picks the addresses on each
 * of the container's networks ({@link Ipam}: IPv4, and IPv6 on a network with it) and the free host ports, writes
 * the container's lease, makes its network namespace (a bind-mounted nsfs file under the store) and runs one
 * {@code netavark setup} for all its networks.
 * Detaching runs {@code netavark teardown} with the same options, removes the namespace and deletes the lease,
 * which frees its addresses and ports. A lease is the file {@code network/leases/ID.json}: the options netavark was
 * given, its answer, the namespace, the network namespace netavark acted in and the process that attached.
 */
public final class ContainerNetworks {
  private final NetPaths paths;
  private final Networks networks;

  public ContainerNetworks(Path storeRoot) {
    this.paths = new NetPaths(storeRoot);
    this.networks = new Networks(paths);
  }

  public Networks networks() {
    return networks;
  }

  /**
   * What {@code run} asked for: the network, its aliases and address, the published ports, and the name servers of
   * {@code --dns} (to which aardvark-dns forwards the container's queries on a network with names); and the
   * networks the container is attached to at its start ({@code endpoints}, eth0 first), which are the one of
   * {@code run} until {@code network connect} and {@code disconnect} change them.
   */
  public record Request(String network, List<String> aliases, String ip, String ip6, List<PortMapping> ports,
      List<String> dnsServers, List<Endpoint> endpoints) {
    public Request(String network, List<String> aliases, String ip, String ip6, List<PortMapping> ports,
        List<String> dnsServers) {
      this(network, aliases, ip, ip6, ports, dnsServers, List.of(new Endpoint(network, aliases, ip, ip6)));
    }

    public Request(String network, List<String> aliases, String ip, String ip6, List<PortMapping> ports) {
      this(network, aliases, ip, ip6, ports, List.of());
    }
  }

  /**
   * A container on its network: the namespace to join, its address and what it needs in /etc; its IPv6 address,
   * prefix and gateway on a network with IPv6 ("", 0 and "" otherwise).
   */
  public record Attached(Path netns, NetworkDef network, String ip, int prefix, String gateway, String ip6,
      int prefix6, String gateway6, String mac, List<String> dnsServers, List<PortMapping> ports) { }

  /**
   * Attaches container {@code id} as {@code request} asks; a failure is one line (exit 125) and leaves nothing.
   * {@code stale} says whether a lease's container is gone (see {@link #sweep}).
   */
  public Attached attach(String id, String name, String hostname, Request request, Predicate<Lease> stale) {
    return begin(id, name, hostname, request, stale).finish();
  }

  /**
   * Starts attaching container {@code id}: under the network lock, the sweep, the address and host ports, the lease
   * and the namespace are made here and netavark is started; {@link Attaching#finish} waits for it. What the
   * container's etc files need (its address, gateway and name servers) is known before netavark answers, so that
   * the caller prepares the container's root meanwhile. A failure is one line (exit 125) and leaves nothing.
   */
  public Attaching begin(String id, String name, String hostname, Request request, Predicate<Lease> stale) {
    return begin(id, name, hostname, () -> request, stale);
  }

  /**
   * As above, with the request read under the network lock ({@code start}: its networks are the ones the
   * container's configuration names when the lock is held, which {@code network connect} changes under it).
   */
  public Attaching begin(String id, String name, String hostname, java.util.function.Supplier<Request> requestNow,
      Predicate<Lease> stale) {
    FileLock lock;
    try {
      lock = lock();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    boolean started = false;
    try {
      Request request = requestNow.get();
      sweepLocked(stale);
      List<Lease> leases = leases();
      Map<String, Object> nets = new LinkedHashMap<>();
      Map<String, Object> info = new LinkedHashMap<>();
      List<NetworkDef> defs = new ArrayList<>();
      List<String> addresses = new ArrayList<>();
      int firstIp = 0;
      BigInteger firstIp6 = null;
      for (Endpoint e : request.endpoints()) {
        NetworkDef net = networks.get(e.network());
        // each network has its own IPAM: the container's addresses on its other networks do not count here
        int ip = Ipam.address(net, e.ip(), leases);
        BigInteger ip6 = Ipam.address6(net, e.ip6(), leases);
        if (!net.internal()) {
          Ipam.checkPorts(net, request.ports());
        }
        List<String> staticIps = Ipam.staticIps(ip, ip6);
        nets.put(net.name(), NetavarkOptions.perNetwork("eth" + nets.size(), staticIps, net, id, name,
            e.aliases(), hostname));
        info.put(net.name(), net.toMap());
        if (defs.isEmpty()) {
          firstIp = ip;
          firstIp6 = ip6;
        }
        defs.add(net);
        addresses.addAll(staticIps);
      }
      // netavark forwards no port to an internal network: none is taken on the host, none is shown as published
      List<PortMapping> ports = defs.stream().allMatch(NetworkDef::internal) ? List.of()
          : HostPorts.assign(request.ports(), leases);
      boolean names = defs.stream().anyMatch(NetworkDef::dns);
      Map<String, Object> options = NetavarkOptions.options(id, name, nets, info,
          ports.stream().map(PortMapping::toMap).toList(), names ? request.dnsServers() : List.of());
      Path netns = paths.netns(id);
      Lease lease = new Lease(id, netns, LeaseFiles.hostNetns(), ProcessHandle.current().pid(), LeaseFiles.startOf(ProcessHandle.current()),
          options, null);
      LeaseFiles.write(paths, lease);
      NetworkDef first = defs.isEmpty() ? null : defs.get(0);
      Attaching p = new Attaching(this, paths, lock, lease, first, addresses, request);
      try {
        NetNs.create(netns);
        if (first != null) {
          Netavark netavark = new Netavark(paths);
          // every network's aardvark-dns, as podman lists them in resolv.conf
          List<String> servers = netavark.dns() ? defs.stream().filter(NetworkDef::dns)
              .map(d -> Subnet.text(d.gateway())).toList() : List.of();
          p.expected = new Attached(netns, first, Subnet.text(firstIp), first.subnet().prefix(),
              first.internal() ? "" : Subnet.text(first.gateway()), firstIp6 == null ? "" : Subnet6.text(firstIp6),
              firstIp6 == null ? 0 : first.subnet6().prefix(),
              firstIp6 == null || first.internal() ? "" : Subnet6.text(first.gateway6()), "", servers, ports);
          p.call = netavark.start("setup", netns, options);
        }
      } catch (RuntimeException e) {
        p.fail(e);
      }
      started = true;
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (!started) {
        release(lock);
      }
    }
  }

  static void release(FileLock lock) {
    try {
      lock.close();
    } catch (IOException ignored) {
      // closing the channel releases it
    }
  }

  /**
   * Detaches container {@code id} when it has a lease: teardown, namespace, lease. Nothing is done when the lease
   * was made in another network namespace than this command's (its bridge and rules are there, not here): a
   * command run there removes it. Returns whether the lease is gone.
   */
  public boolean detach(String id) {
    if (!Files.exists(paths.lease(id))) {
      return true;
    }
    try (FileLock lock = lock()) {
      Optional<Lease> l = LeaseFiles.read(paths, id);
      return l.isEmpty() || detachLocked(l.get());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts detaching container {@code id}: the lock is taken and netavark's teardown started, so that the caller
   * removes the container's root meanwhile; null when it holds nothing here (no lease, or one of another network
   * namespace). {@link Detaching#finish} completes it.
   */
  public Detaching beginDetach(String id) {
    if (!Files.exists(paths.lease(id))) {
      return null;
    }
    FileLock lock;
    try {
      lock = lock();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Optional<Lease> l = LeaseFiles.read(paths, id);
      if (l.isEmpty() || !l.get().hostNetns().equals(LeaseFiles.hostNetns())) {
        release(lock);
        return null;
      }
      Netavark.Call call = null;
      if (NetNs.exists(l.get().netns()) && !l.get().networks().isEmpty()) {
        call = new Netavark(paths).start("teardown", l.get().netns(), l.get().options());
      }
      return new Detaching(lock, l.get(), call);
    } catch (RuntimeException e) {
      release(lock);
      throw e;
    }
  }

  /** A teardown under way. */
  public final class Detaching {
    private final FileLock lock;
    private final Lease lease;
    private final Netavark.Call call;

    private Detaching(FileLock lock, Lease lease, Netavark.Call call) {
      this.lock = lock;
      this.lease = lease;
      this.call = call;
    }

    /** Waits for netavark, removes the namespace and the lease, releases the lock. */
    public void finish() {
      try {
        if (call != null) {
          call.await();
        }
      } catch (RuntimeException ignored) {
        // an interface or rule already gone: what is left of it goes below
      } finally {
        try {
          NetNs.remove(lease.netns());
          Files.deleteIfExists(paths.lease(lease.id()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } finally {
          release(lock);
        }
      }
    }
  }

  /**
   * Detaches every container whose lease {@code stale} finds gone: removed, exited, or whose attaching process
   * died before it started (dcont or the monitor killed). Cheap when no container is on a network.
   */
  public void sweep(Predicate<Lease> stale) {
    if (!Files.isDirectory(paths.leases())) {
      return;
    }
    try (FileLock lock = lock()) {
      sweepLocked(stale);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void sweepLocked(Predicate<Lease> stale) {
    for (Lease l : leases()) {
      if (stale.test(l)) {
        detachLocked(l);
      }
    }
  }

  boolean detachLocked(Lease l) {
    if (!l.hostNetns().equals(LeaseFiles.hostNetns())) {
      return false;
    }
    try {
      if (NetNs.exists(l.netns()) && !l.networks().isEmpty()) {
        new Netavark(paths).teardown(l.netns(), l.options());
      }
    } catch (RuntimeException ignored) {
      // an interface or rule already gone (a failed setup, a reboot): what is left of it goes below
    }
    NetNs.remove(l.netns());
    try {
      Files.deleteIfExists(paths.lease(l.id()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return true;
  }

  /** The lease of container {@code id}, if it is on a network now. */
  public Optional<Lease> lease(String id) {
    return LeaseFiles.read(paths, id);
  }

  /** The ids of containers attached to network {@code name}. */
  public List<String> users(String name) {
    List<String> out = new ArrayList<>();
    for (Lease l : leases()) {
      if (l.address(name) != null) {
        out.add(l.id());
      }
    }
    return out;
  }

  /** Every lease, in no order; one that cannot be read (a write cut short) counts as none. */
  public List<Lease> leases() {
    return LeaseFiles.all(paths);
  }

  /** The store's network lock (see {@link LeaseFiles#lock}). */
  public FileLock lock() throws IOException {
    return LeaseFiles.lock(paths);
  }
}
