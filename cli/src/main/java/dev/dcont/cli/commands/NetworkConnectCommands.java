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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dcont network connect|disconnect}, as Docker's, for running containers on a bridge network. */
final class NetworkConnectCommands {
  private NetworkConnectCommands() { }

  @Command(name = "connect", description = "Connect a running container to a network.")
  static final class Connect implements Callable<Integer> {
    @Option(names = "--alias", paramLabel = "ALIAS", description = "Another name for the container on the network.")
    List<String> aliases = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "IP", description = "The container's IPv4 address on the network.")
    String ip;

    @Parameters(index = "0", paramLabel = "NETWORK")
    String network;

    @Parameters(index = "1", paramLabel = "CONTAINER")
    String container;

    @Override
    public Integer call() throws IOException {
      try (Store store = GlobalOptions.openStore()) {
        Containers c = NetworkCommand.swept(store);
        ContainerNetworks cn = c.networks();
        NetworkDef net = NetworkCommand.resolve(cn, network);
        ContainerRecord r = running(c, container);
        String address = new NetworkConnect(cn, store.layout().root()).connect(r.id(), r.name(), net, aliases, ip);
        HostsLines.add(store.layout().container(r.id()).resolve("etc"), address);
        return 0;
      }
    }
  }

  @Command(name = "disconnect", description = "Disconnect a running container from a network.")
  static final class Disconnect implements Callable<Integer> {
    @Option(names = {"-f", "--force"}, description = "Accepted as Docker's; the container is detached all the same.")
    boolean force;

    @Parameters(index = "0", paramLabel = "NETWORK")
    String network;

    @Parameters(index = "1", paramLabel = "CONTAINER")
    String container;

    @Override
    public Integer call() throws IOException {
      try (Store store = GlobalOptions.openStore()) {
        Containers c = NetworkCommand.swept(store);
        ContainerNetworks cn = c.networks();
        NetworkDef net = NetworkCommand.resolve(cn, network);
        ContainerRecord r = running(c, container);
        String address = new NetworkConnect(cn, store.layout().root()).disconnect(r.id(), r.name(), net.name());
        HostsLines.remove(store.layout().container(r.id()).resolve("etc"), address);
        return 0;
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
