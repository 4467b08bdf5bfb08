package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.run.Containers;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** Applies an action to each named container as Docker does: prints each name done, one error line per failure. */
final class ForEachContainer {
  private ForEachContainer() { }

  /** What to do to one container. */
  @FunctionalInterface
  interface Action {
    void apply(Store store, Containers containers, ContainerRecord container) throws Exception;
  }

  /** Returns 0 when every container succeeded, 1 otherwise. */
  static int run(CommandSpec spec, List<String> names, Action action) throws Exception {
    int failures = 0;
    try (Store store = GlobalOptions.openStore()) {
      Containers containers = new Containers(store);
      for (String n : names) {
        try {
          action.apply(store, containers, containers.get(n));
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
