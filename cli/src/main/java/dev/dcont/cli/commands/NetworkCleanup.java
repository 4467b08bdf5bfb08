package dev.dcont.cli.commands;

import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.run.Containers;
import dev.dcont.store.Store;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code dcont network cleanup ID} (hidden): what the monitor of a detached container runs when the container has
 * ended, as conmon runs podman's {@code container cleanup}: the container's network (its address, host ports,
 * veth and firewall rules) is released then rather than at the next dcont command. It first waits for the
 * {@code run} that attached the container to end, since a lease is kept while its attacher may still be starting
 * the container; then every lease whose container is gone is released (the sweep of any command).
 */
@Command(name = "cleanup", hidden = true, description = "Release the network of a detached container that ended.")
final class NetworkCleanup implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CONTAINER_ID")
  String id;

  @Override
  public Integer call() {
    try (Store store = GlobalOptions.openStore()) {
      Containers containers = new Containers(store);
      containers.networks().lease(id).ifPresent(l -> l.awaitAttacher(Duration.ofSeconds(60)));
      containers.sweepNetworks();
      return 0;
    }
  }
}
