package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.run.Containers;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dcont attach CONTAINER}: a running container's output from now until it ends, and its exit code, as
 * {@code docker attach} shows them; this standard input becomes the container's when it was started with
 * {@code -i} (unless {@code --no-stdin}), and with {@code -t} CTRL-p CTRL-q detaches, leaving it running.
 */
@Command(name = "attach", description = "Attach to a running container: its output until it ends, your input"
    + " when it was started with -i (CTRL-p CTRL-q detaches from a -t one); exit with its code.")
public final class AttachCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--no-stdin", description = "Do not attach standard input.")
  boolean noStdin;

  @Parameters(paramLabel = "CONTAINER")
  String container;

  @Override
  public Integer call() throws Exception {
    try (Store store = GlobalOptions.openStore()) {
      Containers containers = new Containers(store);
      ContainerRecord r = containers.get(container);
      if (!containers.status(r).running()) {
        throw new Errors.UserError("You cannot attach to a stopped container, start it first");
      }
      return StartCommand.attachRunning(spec, store, containers, r, !noStdin);
    }
  }
}
