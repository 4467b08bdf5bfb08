package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.Format;
import dev.dcont.cli.FormatOption;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.net.ContainerNetworks;
import dev.dcont.cli.net.NetworkDef;
import dev.dcont.cli.net.NetworkView;
import dev.dcont.cli.run.Containers;
import dev.dcont.store.Store;
import dev.dcont.store.model.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileLock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont network create|ls|inspect|rm|prune}: the store's networks, as {@code docker network}. */
@Command(name = "network", description = "Manage networks.", subcommands = {
    NetworkCommand.Create.class, NetworkCommand.Ls.class, NetworkCommand.Inspect.class, NetworkCommand.Rm.class,
    NetworkConnectCommands.Connect.class, NetworkConnectCommands.Disconnect.class,
    NetworkPrune.class, NetworkCleanup.class})
public final class NetworkCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "'dcont network' needs a command: create, ls, inspect, rm or prune");
  }

  /** The store's containers, with the networks of those that are gone released first. */
  static Containers swept(Store store) {
    Containers c = new Containers(store);
    c.sweepNetworks();
    return c;
  }

  /** The network an argument names (a name, an ID or a unique prefix of one), or a user error naming it. */
  static NetworkDef resolve(ContainerNetworks cn, String nameOrId) {
    return cn.networks().resolve(nameOrId)
        .orElseThrow(() -> new Errors.UserError("network " + nameOrId + " not found (see 'dcont network ls')"));
  }

  @Command(name = "create", description = "Create a network (a bridge of its own; containers on it find each"
      + " other by name).")
  static final class Create implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--subnet", paramLabel = "CIDR", description = "A subnet, one IPv4 and one IPv6 at most"
        + " (default: a free /24 of 10.90.0.0/16; an IPv6 one implies --ipv6).")
    List<String> subnets = new ArrayList<>();

    @Option(names = "--gateway", paramLabel = "IP", description = "The bridge's address in the subnet of its family"
        + " (default: the subnet's first host).")
    List<String> gateways = new ArrayList<>();

    @Option(names = "--ipv6", description = "An IPv6 subnet too (default: a random unique local /64).")
    boolean ipv6;

    @Option(names = "--internal", description = "No route out of the network (no NAT).")
    boolean internal;

    @Option(names = {"-d", "--driver"}, paramLabel = "DRIVER", description = "bridge (the only driver).")
    String driver = "bridge";

    @Option(names = "--label", paramLabel = "KEY[=VALUE]", description = "A label of the network (repeatable).")
    List<String> labels;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws IOException {
      if (!driver.equals("bridge")) {
        throw new Errors.UserError("network driver " + driver + " is not supported (dcont makes bridge networks)");
      }
      java.util.Map<String, String> labelMap = NetworkFilters.labels(labels);
      try (Store store = GlobalOptions.openStore()) {
        ContainerNetworks cn = new Containers(store).networks();
        NetworkDef d;
        try (FileLock lock = cn.lock()) {
          d = cn.networks().create(name, subnets, gateways, ipv6, internal, labelMap);
        }
        spec.commandLine().getOut().println(d.id());
        spec.commandLine().getOut().flush();
        return 0;
      }
    }
  }

  @Command(name = "ls", aliases = "list", description = "List networks.")
  static final class Ls implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-q", "--quiet"}, description = "Only show network IDs.")
    boolean quiet;

    @Option(names = "--no-trunc", description = "Show whole network IDs.")
    boolean noTrunc;

    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "Only the networks that match:"
        + " name, id, label (KEY or KEY=VALUE), driver, scope, type (custom or builtin), dangling (true or false);"
        + " repeatable.")
    List<String> filters;

    @Mixin
    FormatOption format;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      NetworkFilters filter = NetworkFilters.parse(filters,
          java.util.Set.of("name", "id", "label", "driver", "scope", "type", "dangling"));
      try (Store store = GlobalOptions.openStore()) {
        ContainerNetworks cn = swept(store).networks();
        List<NetworkDef> all = new ArrayList<>();
        java.util.Map<String, java.util.Map<String, String>> labels = new java.util.HashMap<>();
        try (FileLock lock = cn.lock()) {
          for (NetworkDef d : cn.networks().list()) {
            labels.put(d.name(), cn.networks().labels(d));
            if (filter.matches(d, labels.get(d.name()), !cn.users(d.name()).isEmpty())) {
              all.add(d);
            }
          }
        }
        if (format.json()) {
          List<Object> l = new ArrayList<>();
          for (NetworkDef d : all) {
            l.add(NetworkView.network(d, List.of(), labels.get(d.name())));
          }
          out.println(Json.pretty(l));
        } else if (quiet) {
          all.forEach(d -> out.println(noTrunc ? d.id() : d.id().substring(0, 12)));
        } else {
          Format.Table t = new Format.Table("NETWORK ID", "NAME", "DRIVER", "SCOPE", "SUBNET");
          for (NetworkDef d : all) {
            t.row(noTrunc ? d.id() : d.id().substring(0, 12), d.name(), "bridge", "local",
                d.subnet6() == null ? d.subnet().toString() : d.subnet() + "," + d.subnet6());
          }
          out.print(t);
        }
        out.flush();
        return 0;
      }
    }
  }

  @Command(name = "inspect", description = "Show networks and the containers on them as JSON.")
  static final class Inspect implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "NETWORK")
    List<String> names;

    @Override
    public Integer call() throws IOException {
      try (Store store = GlobalOptions.openStore()) {
        ContainerNetworks cn = swept(store).networks();
        List<Object> out = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String n : names) {
          var d = cn.networks().resolve(n);
          if (d.isEmpty()) {
            missing.add(n);
          } else {
            out.add(NetworkView.network(d.get(), cn.leases(), cn.networks().labels(d.get())));
          }
        }
        // as docker network inspect: the networks found (maybe none, []), then a line for each name that is none
        spec.commandLine().getOut().println(Json.pretty(out));
        spec.commandLine().getOut().flush();
        for (String n : missing) {
          spec.commandLine().getErr().println("dcont: network " + n + " not found (see 'dcont network ls')");
        }
        spec.commandLine().getErr().flush();
        return missing.isEmpty() ? 0 : Errors.OPERATIONAL;
      }
    }
  }

  @Command(name = "rm", aliases = "remove", description = "Remove networks no running container is on.")
  static final class Rm implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "NETWORK")
    List<String> names;

    @Override
    public Integer call() throws IOException {
      try (Store store = GlobalOptions.openStore()) {
        ContainerNetworks cn = swept(store).networks();
        int code = 0;
        for (String n : names) {
          try (FileLock lock = cn.lock()) {
            NetworkDef d = resolve(cn, n);
            List<String> users = cn.users(d.name());
            if (!users.isEmpty()) {
              throw new Errors.UserError("network " + d.name() + " is in use by container "
                  + users.get(0).substring(0, 12) + " (remove or stop it first)");
            }
            cn.networks().remove(d);
            spec.commandLine().getOut().println(n);
          } catch (Errors.UserError e) {
            spec.commandLine().getErr().println("dcont: " + e.getMessage());
            code = Errors.OPERATIONAL;
          }
        }
        spec.commandLine().getOut().flush();
        return code;
      }
    }
  }
}
