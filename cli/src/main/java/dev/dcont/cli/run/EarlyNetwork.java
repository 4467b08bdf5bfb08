package dev.dcont.cli.run;

import dev.dcont.cli.net.Attaching;
import dev.dcont.cli.net.ContainerNetworks;
import dev.dcont.store.Store;
import dev.dcont.store.StoreLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A new container's network, begun before the store is open. netavark's set-up (the bridge, the veth pair, the
 * firewall rules) is the longest step of a run before its container starts, and until the store has opened (on
 * a thread of its own since the command line was read) the command has nothing else to do: begun here, the
 * set-up runs while the store opens, the image is looked up and the root is mounted, not after them.
 *
 * <p>Only where nothing it needs comes from the store: a store that exists, ports given by {@code -p} (not
 * {@code -P}, which reads the image's configuration). The sweep of leases whose containers are gone reads the
 * store when it has to judge one whose attaching process is dead; it waits for the store then. A run whose
 * image must be pulled first gives the network up ({@link #abort}) rather than hold the store's network lock
 * through the pull; {@link ContainerCreate#forRun} then begins it as before.
 */
public final class EarlyNetwork {
  private final Attaching pending;

  private EarlyNetwork(Attaching pending) {
    this.pending = pending;
  }

  /**
   * Begins {@code request}'s network for the container {@code identity} names, or returns null where it must
   * wait for the store (no network asked for, {@code -P}, no store yet). {@code store} opens the store once.
   */
  public static EarlyNetwork begin(Path root, ContainerNetworks.Request request, boolean publishAll,
      ContainerCreate.Identity identity, Supplier<Store> store) {
    if (request == null || publishAll || !Files.isRegularFile(new StoreLayout(root).database())) {
      return null;
    }
    Attaching p = new ContainerNetworks(root).begin(identity.id(), identity.name(),
        identity.hostname(), request, l -> NetworkMode.stale(new Containers(store.get()), l));
    return new EarlyNetwork(p);
  }

  /** The attach under way, for {@link ContainerCreate#forRun}, which finishes or aborts it from here on. */
  Attaching pending() {
    return pending;
  }

  /** Gives the network up again (the container will not be made, or not now): torn down, lease released. */
  public void abort() {
    pending.abort();
  }
}
