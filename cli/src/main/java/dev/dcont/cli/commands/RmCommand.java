package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.run.Containers;
import dev.dcont.store.Store;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont rm [-f] CONTAINER…}: removes containers with their mounts, cgroups, files and rows. */
@Command(name = "rm", description = "Remove containers (-f: kill running ones first).")
public final class RmCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--force"}, description = "Kill and remove running containers.")
  boolean force;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    int failures = 0;
    try (Store store = GlobalOptions.openStore()) {
      Containers containers = new Containers(store);
      for (String n : names) {
        try {
          containers.remove(containers.get(n), force);
          spec.commandLine().getOut().println(n);
        } catch (Errors.UserError e) {
          spec.commandLine().getErr().println("dcont: " + e.getMessage());
          failures++;
        }
      }
    }
    spec.commandLine().getOut().flush();
    return failures == 0 ? 0 : Errors.OPERATIONAL;
  }
}
