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
        print(out, hits.stream().map(p -> p.hostText() + ":" + p.hostPort()).toList());
      } else {
        print(out, ports.stream().map(p -> p.containerPort() + "/" + p.protocol() + " -> "
            + p.hostText() + ":" + p.hostPort()).toList());
      }
      out.flush();
      return 0;
    }
  }

  /** The lines in the Docker CLI's order: natural, numbers by their value ({@code 80/tcp} before {@code 443/tcp}). */
  private static void print(PrintWriter out, List<String> lines) {
    lines.stream().sorted(PortCommand::natural).forEach(out::println);
  }

  static int natural(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char x = a.charAt(i);
      char y = b.charAt(j);
      if (Character.isDigit(x) && Character.isDigit(y)) {
        int ei = i;
        int ej = j;
        while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
          ei++;
        }
        while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
          ej++;
        }
        int c = Long.compare(Long.parseLong(a.substring(i, ei)), Long.parseLong(b.substring(j, ej)));
        if (c != 0) {
          return c;
        }
        i = ei;
        j = ej;
      } else {
        if (x != y) {
          return Character.compare(x, y);
        }
        i++;
        j++;
      }
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
