package dev.dcont.cli.run;

import dev.dcont.cli.Errors;
import dev.dcont.cli.net.Attaching;
import dev.dcont.cli.net.ContainerNetworks;
import dev.dcont.layers.RootfsManager;
import dev.dcont.runtime.ContainerException;
import dev.dcont.runtime.spec.Spec;
import dev.dcont.runtime.spec.SpecJson;
import dev.dcont.store.db.ContainerRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code dcont start}: a stopped container (exited, or created and never started) runs again, detached, in the
 * bundle it has, as Docker's start does: the same root file system (its changes kept), spec and log. Its network
 * namespace is made anew with every network its configuration names now (eth0, eth1, … in order: the network of
 * {@code run} and those {@code network connect} added, less those disconnected), each address from that
 * network's IPAM (or the {@code --ip} asked for), and its /etc/hosts and /etc/resolv.conf get the addresses and
 * name servers of now. A container whose networks were all disconnected has a namespace with loopback alone, to
 * which a network can be connected while it runs. Attached ({@code start -a}), it runs in the foreground as
 * {@code run} without {@code -d} does: its output relayed, its exit code returned, its network released when it ends
 * and, created with {@code --rm}, the container removed.
 */
public final class ContainerStart {
  private final Containers containers;
  private final RootfsManager rootfs;

  public ContainerStart(Containers containers) {
    this.containers = containers;
    this.rootfs = new RootfsManager(containers.store());
  }

  /** Starts {@code r} unless it runs; a failure is one line and leaves it stopped, holding no network. */
  public void start(ContainerRecord r) throws IOException, ContainerException {
    if (containers.status(r).running()) {
      return;
    }
    Containers.Created c = prepare(r);
    boolean ok = false;
    try {
      containers.startDetached(c);
      ok = true;
    } catch (ContainerException e) {
      throw new Errors.UserError(e.getMessage(), Errors.OPERATIONAL);
    } finally {
      if (!ok) {
        containers.releaseEnded(r.id(), false);
      }
    }
  }

  /**
   * Runs the stopped container {@code r} in the foreground, its standard input relayed when {@code interactive};
   * returns its exit code. Released as {@code run} releases a foreground container when it ends.
   */
  public int startAttached(ContainerRecord r, boolean interactive) throws IOException {
    Containers.Created c = prepare(r);
    try {
      return containers.runForeground(c, interactive);
    } catch (ContainerException e) {
      throw new Errors.UserError(e.getMessage(), Errors.OPERATIONAL);
    } finally {
      containers.releaseEnded(r.id(), r.autoRemove());
    }
  }

  /** The container's root mounted, its networks set up and its spec written, ready for the runtime. */
  private Containers.Created prepare(ContainerRecord r) throws IOException {
    String id = r.id();
    Path bundle = containers.store().layout().container(id);
    try {
      containers.runtime().delete(id, true);
    } catch (ContainerException | IOException | RuntimeException ignored) {
      // no runtime state left (a foreground run removes its own)
    }
    Spec spec = SpecJson.readSpec(bundle.resolve("config.json"));
    String joined = spec.annotation(JoinedNetwork.ANNOTATION);
    if (joined != null) {
      spec = JoinedNetwork.join(containers, spec, joined, bundle, Errors.OPERATIONAL);
    }
    ContainerNetworks.Request request = NetworkMode.read(bundle);
    boolean ok = false;
    Attaching pending = null;
    try {
      rootfs.unmount(id);
      rootfs.mount(id);
      if (request != null) {
        pending = containers.networks().begin(id, r.name(), spec.hostname(), () -> NetworkMode.read(bundle),
            l -> NetworkMode.stale(containers, l));
        etc(bundle.resolve("etc"), spec.hostname(), pending.request(), pending);
        spec = NetworkMode.join(spec, pending.netns());
        Attaching p = pending;
        pending = null;
        p.finish();
      }
      SpecJson.write(bundle.resolve("config.json"), spec);
      ok = true;
      return new Containers.Created(r, bundle, spec);
    } finally {
      if (!ok) {
        if (pending != null) {
          pending.abort();
        }
        containers.releaseEnded(id, false);
      }
    }
  }


  /**
   * The container's own lines of hosts (its address on each network) and its name servers: aardvark-dns of its
   * networks with names, else those of {@code --dns}, else the host's, as {@code run} chose them.
   */
  private static void etc(Path etc, String hostname, ContainerNetworks.Request request,
      Attaching pending) throws IOException {
    EtcLines.ownHosts(etc, hostname, pending.addresses());
    List<String> servers = pending.expected() == null ? List.of() : pending.expected().dnsServers();
    if (servers.isEmpty()) {
      servers = request.dnsServers();
    }
    if (servers.isEmpty()) {
      servers = new ArrayList<>();
      for (String line : EtcFiles.resolvConf(List.of()).split("\n")) {
        String ns = EtcFiles.nameserver(line);
        if (ns != null) {
          servers.add(ns);
        }
      }
    }
    EtcLines.setNameservers(etc, servers);
  }
}
