package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.net.Lease;
import dev.dcont.cli.net.PortMapping;
import dev.dcont.cli.run.Containers;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont port CONTAINER [PRIVATE_PORT[/PROTO]]}: the host ports a running container's ports are published on. */
@Command(name = "port", description = "List a container's published ports (or where one of them is published).")
public final class PortCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "CONTAINER")
  String container;

  @Parameters(index = "1", arity = "0..1", paramLabel = "PRIVATE_PORT[/PROTO]")
  String port;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = GlobalOptions.openStore()) {
      Containers containers = new Containers(store);
      ContainerRecord r = containers.get(container);
      Containers.Status st = containers.status(r);
      List<PortMapping> ports = (st.running()
          ? containers.networks().lease(r.id()).map(Lease::ports).orElse(List.<PortMapping>of()) : List.<PortMapping>of())
          .stream().flatMap(p -> p.ports().stream()).toList();
      if (port != null) {
        PortMapping want = PortMapping.single(port);
        List<PortMapping> hits = ports.stream().filter(p -> p.containerPort() == want.containerPort()
            && p.protocol().equals(want.protocol())).toList();
        if (hits.isEmpty()) {
          throw new Errors.UserError("no public port '" + want.containerPort() + "/" + want.protocol()
              + "' published for " + r.name());
        }
        hits.forEach(p -> out.println(p.hostText() + ":" + p.hostPort()));
      } else {
        ports.forEach(p -> out.println(p.containerPort() + "/" + p.protocol() + " -> "
            + p.hostText() + ":" + p.hostPort()));
      }
      out.flush();
      return 0;
    }
  }
}
