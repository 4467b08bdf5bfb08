package dev.dcont.cli.commands;

import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.net.ContainerNetworks;
import dev.dcont.cli.net.Lease;
import dev.dcont.cli.net.NetworkDef;
import dev.dcont.cli.net.Networks;
import dev.dcont.cli.run.NetworkMode;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileLock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dcont network prune}: removes the networks of {@code network create} that no container uses, as
 * {@code docker network prune}. A container uses its network as long as it exists, stopped or not (Docker counts
 * stopped containers too), and one being created has its lease already: both are read under the network lock,
 * which a {@code run} holds from its lease to netavark's answer, so no network is removed under a container
 * starting on it.
 */
@Command(name = "prune", description = "Remove the networks no container uses.")
final class NetworkPrune implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--force"}, description = "Do not prompt (dcont never prompts; accepted for Docker"
      + " compatibility).")
  boolean force;

  @Option(names = "--filter", paramLabel = "KEY=VALUE", description = "Only the networks that match: until (a time"
      + " or a duration such as 24h: created before it), label (KEY or KEY=VALUE), label! (without it); repeatable.")
  List<String> filters;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    NetworkFilters filter = NetworkFilters.parse(filters, Set.of("until", "label"));
    try (Store store = GlobalOptions.openStore()) {
      ContainerNetworks cn = NetworkCommand.swept(store).networks();
      boolean header = false;
      try (FileLock lock = cn.lock()) {
        Set<String> used = new HashSet<>();
        for (Lease l : cn.leases()) {
          used.addAll(l.networks());
        }
        for (ContainerRecord c : store.containers().list()) {
          ContainerNetworks.Request r = NetworkMode.read(store.layout().container(c.id()));
          if (r != null) {
            r.endpoints().forEach(e -> used.add(e.network()));
          }
        }
        for (NetworkDef d : cn.networks().list()) {
          if (d.name().equals(Networks.DEFAULT) || used.contains(d.name())
              || !filter.matches(d, cn.networks().labels(d), false)) {
            continue;
          }
          cn.networks().remove(d);
          if (!header) {
            out.println("Deleted Networks:");
            header = true;
          }
          out.println(d.name());
        }
      }
      out.flush();
      return 0;
    }
  }
}
