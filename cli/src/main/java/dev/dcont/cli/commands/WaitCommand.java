package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.run.Containers;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dcont wait CONTAINER…}: as {@code docker wait}, blocks until each container is not running and prints its
 * exit code, a line each; one that is not running is printed at once (0 for one never started). A running one is
 * waited for as {@code attach} follows it, without its output, input or signals.
 */
@Command(name = "wait", description = "Block until containers stop, then print their exit codes.")
public final class WaitCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
    int failures = 0;
    try (Store store = GlobalOptions.openStore()) {
      Containers containers = new Containers(store);
      for (String n : names) {
        try {
          ContainerRecord r = containers.get(n);
          Containers.Status s = containers.status(r);
          OptionalInt code = s.running()
              ? AttachSession.attach(store, containers, r, nowhere, nowhere, null, false)
              : OptionalInt.of(s.exitCode() == null ? 0 : s.exitCode());
          if (code.isEmpty()) {
            throw new Errors.UserError("container " + r.name() + " was removed when it ended (run with --rm): its"
                + " exit code went with it");
          }
          out.println(code.getAsInt());
          out.flush();
        } catch (Errors.UserError e) {
          err.println("dcont: " + e.getMessage());
          failures++;
        }
      }
    }
    return failures == 0 ? 0 : Errors.OPERATIONAL;
  }
}
