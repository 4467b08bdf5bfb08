package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.net.ContainerNetworks;
import dev.dcont.cli.net.NetworkConnect;
import dev.dcont.cli.net.NetworkDef;
import dev.dcont.cli.run.Containers;
import dev.dcont.cli.run.EtcLines;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcont network connect|disconnect}, as Docker's: a running container is changed now and for its next
 * starts, a stopped one (exited, or created) for its next start.
 */
final class NetworkConnectCommands {
  private NetworkConnectCommands() { }

  /** What connect and disconnect share: the network and the container named, under one open store. */
  abstract static class Change implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NETWORK")
    String network;

    @Parameters(index = "1", paramLabel = "CONTAINER")
    String container;

    /**
     * Attaches or detaches {@code r}; a running one's etc files (under {@code etc}) follow. {@code net} is null when
     * no network has the name given.
     */
    abstract void apply(NetworkConnect nc, ContainerRecord r, boolean running, NetworkDef net, Path etc)
        throws IOException;

    @Override
    public Integer call() throws IOException {
      try (Store store = GlobalOptions.openStore()) {
        Containers c = NetworkCommand.swept(store);
        ContainerNetworks cn = c.networks();
        NetworkDef net = cn.networks().resolve(network).orElse(null);
        ContainerRecord r = c.get(container);
        boolean running = c.status(r).running();
        Path bundle = store.layout().container(r.id());
        try {
          apply(new NetworkConnect(cn, store.layout().root(), bundle), r, running, net,
              bundle.resolve("etc"));
        } catch (Errors.UserError e) {
          // an address refused as run refuses it, in run's words, with Docker's exit code for network commands
          throw e.code() == Errors.RUN_FAILED ? new Errors.UserError(e.getMessage()) : e;
        }
        return 0;
      }
    }
  }

  @Command(name = "connect", description = "Connect a container to a network (a stopped one at its next start).")
  static final class Connect extends Change {
    @Option(names = "--alias", paramLabel = "ALIAS", description = "Another name for the container on the network.")
    List<String> aliases = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "IP", description = "The container's IPv4 address on the network.")
    String ip;

    @Option(names = "--ip6", paramLabel = "IP", description = "The container's IPv6 address on the network.")
    String ip6;

    @Override
    void apply(NetworkConnect nc, ContainerRecord r, boolean running, NetworkDef net, Path etc) throws IOException {
      if (net == null) {
        NetworkCommand.resolve(nc.networks(), network);
      }
      Path h = etc.resolve("hostname");
      String hostname = Files.isRegularFile(h) ? Files.readString(h).strip() : null;
      NetworkConnect.Change done = nc.connect(r.id(), r.name(), hostname, running, net, aliases, ip, ip6);
      if (done != null) {
        for (String a : done.addresses()) {
          EtcLines.addHost(etc, a);
        }
        EtcLines.addNameservers(etc, done.dnsServers());
      }
    }
  }

  @Command(name = "disconnect", description = "Disconnect a container from a network (a stopped one for its next"
      + " start).")
  static final class Disconnect extends Change {
    @Option(names = {"-f", "--force"}, description = "Accepted as Docker's; the container is detached all the same.")
    boolean force;

    @Override
    void apply(NetworkConnect nc, ContainerRecord r, boolean running, NetworkDef net, Path etc) throws IOException {
      // a network removed while a stopped container named it is disconnected by the name given
      if (net == null && running) {
        NetworkCommand.resolve(nc.networks(), network);
      }
      NetworkConnect.Change done = nc.disconnect(r.id(), r.name(), running, net == null ? network : net.name());
      if (done != null) {
        for (String a : done.addresses()) {
          EtcLines.removeHost(etc, a);
        }
        EtcLines.removeNameservers(etc, done.dnsServers());
      }
    }
  }
}
