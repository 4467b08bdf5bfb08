package dev.dcont.cli.run;

import dev.dcont.cli.net.ContainerNetworks;
import dev.dcont.cli.net.Endpoint;
import dev.dcont.cli.net.Lease;
import dev.dcont.cli.net.NetworkConfig;
import dev.dcont.cli.net.PortMapping;
import dev.dcont.runtime.ContainerException;
import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.Spec;
import dev.dcont.store.db.ContainerRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container's network as {@code run} was asked for it: {@code none} and {@code host} are what the runtime makes
 * (a namespace with loopback only, or none); any other is a network the container joins through a namespace the
 * CLI prepares. The request is kept in the bundle ({@link NetworkConfig}) for inspect, port and the container's next
 * start, also after the container ended and its lease went.
 */
public final class NetworkMode {
  private NetworkMode() { }

  /** The request for {@code --network network}, or null for none, host and another container's ({@link JoinedNetwork}). */
  public static ContainerNetworks.Request request(String network, List<String> aliases, String ip, String ip6,
      List<PortMapping> ports) {
    if (network == null || network.equals("none") || network.equals("host") || JoinedNetwork.target(network) != null) {
      return null;
    }
    return new ContainerNetworks.Request(network.equals("default") ? "bridge" : network, aliases, ip, ip6,
        ports);
  }

  /** The spec with its network namespace being {@code netns}, the one netavark set up. */
  public static Spec join(Spec spec, Path netns) {
    List<Linux.Namespace> ns = new ArrayList<>();
    for (Linux.Namespace n : spec.linux().namespaces()) {
      ns.add(n.type().equals("network") ? new Linux.Namespace("network", netns.toString()) : n);
    }
    return spec.withLinux(spec.linux().withNamespaces(ns));
  }

  /**
   * Whether a lease's container is gone: removed, exited, or neither running nor still being started by the
   * process that attached it (a dcont killed while it started the container, or a monitor killed).
   */
  static boolean stale(Containers containers, Lease l) {
    // first: a run sets up its container's network before the container's row exists (see EarlyNetwork), a start
    // attaches a container whose row still says exited, and a foreground run whose container ended releases its
    // network itself
    if (l.attacherAlive()) {
      return false;
    }
    Optional<ContainerRecord> r = containers.store().containers().byId(l.id());
    if (r.isEmpty()) {
      return true;
    }
    if (r.get().state().equals(ContainerRecord.EXITED)) {
      return true;
    }
    try {
      String s = containers.runtime().state(l.id()).status();
      return !(ContainerState.RUNNING.equals(s) || ContainerState.CREATED.equals(s)
          || ContainerState.CREATING.equals(s));
    } catch (ContainerException | IOException e) {
      return true;
    }
  }

  /**
   * Keeps {@code r} in the bundle, with the ports the image exposes ({@code exposed}, its {@code ExposedPorts}, may be
   * null), which {@code ps} and inspect show unpublished as Docker does.
   */
  static void write(Path bundle, ContainerNetworks.Request r, Map<String, Object> exposed) throws IOException {
    List<String> keys = new ArrayList<>();
    for (PortMapping p : exposedPorts(exposed == null ? null : exposed.keySet())) {
      keys.add(p.containerPort() + "/" + p.protocol());
    }
    NetworkConfig.write(bundle, new NetworkConfig.Stored(r, keys));
  }

  /** The image's exposed ports kept in {@code bundle} (none for a container of none or host). */
  public static List<PortMapping> exposed(Path bundle) {
    NetworkConfig.Stored s = stored(bundle);
    return s == null ? List.of() : exposedPorts(s.exposed());
  }

  /** An image's ExposedPorts as ports; a key that is no port is left out (it would not stop the container). */
  private static List<PortMapping> exposedPorts(Iterable<String> keys) {
    List<PortMapping> out = new ArrayList<>();
    if (keys != null) {
      for (String k : keys) {
        try {
          out.addAll(PortMapping.exposed(Map.of(k, Map.of())));
        } catch (RuntimeException e) {
          // not a port: nothing to show
        }
      }
    }
    return out;
  }

  /** The request kept in {@code bundle}, or null when the container has none (none, host, an unreadable file). */
  public static ContainerNetworks.Request read(Path bundle) {
    NetworkConfig.Stored s = stored(bundle);
    return s == null ? null : s.request();
  }

  private static NetworkConfig.Stored stored(Path bundle) {
    try {
      return NetworkConfig.read(bundle);
    } catch (IOException e) {
      return null;
    }
  }
}
