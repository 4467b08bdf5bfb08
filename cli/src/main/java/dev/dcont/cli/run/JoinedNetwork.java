package dev.dcont.cli.run;

import dev.dcont.cli.Errors;
import dev.dcont.cli.net.Lease;
import dev.dcont.cli.net.NetNs;
import dev.dcont.layers.sys.NativeSyscalls;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.Spec;
import dev.dcont.runtime.spec.SpecJson;
import dev.dcont.store.OwnerOnly;
import dev.dcont.store.db.ContainerRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Docker's {@code --network container:NAME}: the container runs in the network namespace of container NAME, with
 * its {@code /etc/hosts}, {@code /etc/resolv.conf} and hostname (its files are bind-mounted, as Docker shares
 * them), and nothing of a network of its own: no address, no lease. The target is kept in the spec's annotations
 * and its namespace found again at every start, which needs it running: the namespace of a container on a network
 * is the one its lease keeps, of one without a network its process's (kept by a bind mount in the joiner's bundle
 * until its next start or removal), and one of the host's network makes the joiner the host's too.
 */
public final class JoinedNetwork {
  /** The annotation that names the container whose network namespace this one joins (its ID). */
  public static final String ANNOTATION = "dev.dcont.network-container";
  private static final String PREFIX = "container:";
  private static final String KEPT = "joined-netns";
  private static final long MS_BIND = 4096;

  private JoinedNetwork() { }

  /** NAME of {@code --network container:NAME}; null for any other mode. */
  public static String target(String network) {
    return network != null && network.startsWith(PREFIX) ? network.substring(PREFIX.length()) : null;
  }

  /** The container that {@code container:NAME} names; it must exist (and may not be the new one). */
  static ContainerRecord resolve(Containers containers, String name) {
    Optional<ContainerRecord> r = containers.find(name);
    if (r.isEmpty()) {
      throw new Errors.UserError("No such container: " + name + " (--network container:NAME joins a container"
          + " that exists)", Errors.RUN_FAILED);
    }
    return r.get();
  }

  /** The target's etc files, which the joiner's spec bind-mounts. */
  static dev.dcont.cli.run.SpecFactory.EtcFiles etcOf(Containers containers, ContainerRecord target) {
    Path etc = containers.store().layout().container(target.id()).resolve("etc");
    return new SpecFactory.EtcFiles(etc.resolve("hostname"), etc.resolve("hosts"), etc.resolve("resolv.conf"));
  }

  /**
   * {@code spec} in the network namespace that the running container {@code targetId} has now, with its
   * hostname; one line (exit {@code code}) when it does not run.
   */
  static Spec join(Containers containers, Spec spec, String targetId, Path bundle, int code) throws IOException {
    release(bundle);
    ContainerRecord target = containers.store().containers().byId(targetId).orElseThrow(() ->
        new Errors.UserError("the container whose network this one joins (" + targetId.substring(0, 12)
            + ") was removed", code));
    Containers.Status s = containers.status(target);
    if (!s.running()) {
      throw new Errors.UserError(notRunning(target), code);
    }
    Spec t = SpecJson.readSpec(containers.store().layout().container(target.id()).resolve("config.json"));
    boolean ownNamespace = t.linux().namespaces().stream().anyMatch(n -> n.type().equals("network"));
    Optional<Lease> lease = containers.networks().lease(target.id());
    String path = !ownNamespace ? null : lease.isPresent() ? lease.get().netns().toString()
        : keep(containers, target, s.pid(), bundle, code).toString();
    List<Linux.Namespace> ns = new ArrayList<>();
    for (Linux.Namespace n : spec.linux().namespaces()) {
      if (!n.type().equals("network")) {
        ns.add(n);
      } else if (ownNamespace) {
        ns.add(new Linux.Namespace("network", path));
      }
    }
    return spec.withLinux(spec.linux().withNamespaces(ns)).withHostname(t.hostname());
  }

  private static String notRunning(ContainerRecord target) {
    return "cannot join network of a non running container: " + target.name();
  }

  /**
   * The namespace of the process {@code pid} of {@code target} (a container without a network of its own), kept by
   * a bind mount in the joiner's bundle, as a lease keeps a network's: the runtime then opens a file that holds
   * that namespace, not {@code /proc/PID/ns/net}, whose pid could be another process's by then. The same process
   * runs before and after the mount (its start time), so the namespace bound is the target's.
   */
  private static Path keep(Containers containers, ContainerRecord target, int pid, Path bundle, int code)
      throws IOException {
    Optional<java.time.Instant> before = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
    Path file = bundle.resolve(KEPT);
    OwnerOnly.createFile(file);
    NativeSyscalls.get().mount("/proc/" + pid + "/ns/net", file, null, MS_BIND, null, null);
    Optional<java.time.Instant> after = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
    Containers.Status now = containers.status(target);
    if (before.isEmpty() || !before.equals(after) || !now.running() || now.pid() != pid) {
      release(bundle);
      throw new Errors.UserError(notRunning(target), code);
    }
    return file;
  }

  /** Lets the namespace an earlier start kept go (at the next start, and when the joiner is removed). */
  static void release(Path bundle) {
    NetNs.remove(bundle.resolve(KEPT));
  }
}
