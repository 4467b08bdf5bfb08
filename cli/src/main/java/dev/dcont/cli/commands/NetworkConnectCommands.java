package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.net.ContainerNetworks;
import dev.dcont.cli.net.NetworkConnect;
import dev.dcont.cli.net.NetworkDef;
import dev.dcont.cli.run.Containers;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dcont network connect|disconnect}, as Docker's, for running containers on a bridge network. */
final class NetworkConnectCommands {
  private NetworkConnectCommands() { }

  /** What connect and disconnect share: the network and the running container named, under one open store. */
  abstract static class Change implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NETWORK")
    String network;

    @Parameters(index = "1", paramLabel = "CONTAINER")
    String container;

    /** Attaches or detaches {@code r}; the address concerned, for the container's /etc/hosts under {@code etc}. */
    abstract void apply(NetworkConnect nc, ContainerRecord r, NetworkDef net, Path etc) throws IOException;

    @Override
    public Integer call() throws IOException {
      try (Store store = GlobalOptions.openStore()) {
        Containers c = NetworkCommand.swept(store);
        ContainerNetworks cn = c.networks();
        NetworkDef net = NetworkCommand.resolve(cn, network);
        ContainerRecord r = running(c, container);
        apply(new NetworkConnect(cn, store.layout().root()), r, net, store.layout().container(r.id()).resolve("etc"));
        return 0;
      }
    }
  }

  @Command(name = "connect", description = "Connect a running container to a network.")
  static final class Connect extends Change {
    @Option(names = "--alias", paramLabel = "ALIAS", description = "Another name for the container on the network.")
    List<String> aliases = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "IP", description = "The container's IPv4 address on the network.")
    String ip;

    @Option(names = "--ip6", paramLabel = "IP", description = "The container's IPv6 address on the network.")
    String ip6;

    @Override
    void apply(NetworkConnect nc, ContainerRecord r, NetworkDef net, Path etc) throws IOException {
      for (String a : nc.connect(r.id(), r.name(), net, aliases, ip, ip6)) {
        HostsLines.add(etc, a);
      }
    }
  }

  @Command(name = "disconnect", description = "Disconnect a running container from a network.")
  static final class Disconnect extends Change {
    @Option(names = {"-f", "--force"}, description = "Accepted as Docker's; the container is detached all the same.")
    boolean force;

    @Override
    void apply(NetworkConnect nc, ContainerRecord r, NetworkDef net, Path etc) throws IOException {
      for (String a : nc.disconnect(r.id(), r.name(), net.name())) {
        HostsLines.remove(etc, a);
      }
    }
  }

  private static ContainerRecord running(Containers c, String container) {
    ContainerRecord r = c.get(container);
    if (!c.status(r).running()) {
      throw new Errors.UserError("container " + r.name() + " is not running (dcont connects running containers"
          + " only; start it first)");
    }
    return r;
  }
}
