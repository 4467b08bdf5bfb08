package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.run.Containers;
import dev.dcont.runtime.ContainerException;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dcont top CONTAINER [ps OPTIONS]}: the container's processes as the host's {@code ps} shows them (its
 * options, default {@code -ef}), only the rows of the container's cgroup, as {@code docker top}.
 */
@Command(name = "top", description = "Show a running container's processes (ps -ef, or the ps options given).")
public final class TopCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "CONTAINER")
  String container;

  @Parameters(index = "1..*", paramLabel = "PS_OPTION", description = "Options for ps (default -ef).")
  List<String> psOptions = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    try (Store store = GlobalOptions.openStore()) {
      Containers containers = new Containers(store);
      ContainerRecord r = containers.get(container);
      if (!containers.status(r).running()) {
        throw new Errors.UserError("container " + r.name() + " is not running");
      }
      String table;
      try {
        table = containers.runtime().processTable(r.id(), psOptions);
      } catch (IllegalArgumentException | ContainerException | java.io.IOException e) {
        // ps's complaint about its options: its first line
        throw new Errors.UserError(e.getMessage().strip().lines().findFirst().orElse("ps failed")
            + " (see 'dcont top --help')");
      }
      spec.commandLine().getOut().print(table);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
