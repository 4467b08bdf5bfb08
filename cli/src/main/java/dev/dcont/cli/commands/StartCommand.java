package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.run.ContainerStart;
import dev.dcont.cli.run.Containers;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dcont start [-a] [-i] CONTAINER…}: runs stopped containers again on the networks they are attached to,
 * detached (each name printed), or one attached: in the foreground with its exit code, as {@code docker start -a}.
 */
@Command(name = "start", description = "Start stopped containers, on every network they are attached to:"
    + " detached, or one in the foreground with -a or -i.")
public final class StartCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-a", "--attach"}, description = "Run in the foreground: its output here, its exit code dcont's.")
  boolean attach;

  @Option(names = {"-i", "--interactive"}, description = "As -a, with this standard input relayed to it.")
  boolean interactive;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    if (!attach && !interactive) {
      return ForEachContainer.run(spec, names,
          (store, containers, c) -> new ContainerStart(containers).start(c));
    }
    if (names.size() > 1) {
      throw new Errors.UserError("you cannot start and attach multiple containers at once (start them"
          + " without -a, or one at a time)");
    }
    try (Store store = GlobalOptions.openStore()) {
      Containers containers = new Containers(store);
      ContainerRecord r = containers.get(names.get(0));
      if (containers.status(r).running()) {
        if (interactive && !containers.openStdin(r)) {
          throw new Errors.UserError("container " + r.name() + " was not started with -i: it has no standard input"
              + " to attach (start -a shows its output)");
        }
        return attachRunning(spec, store, containers, r, interactive);
      }
      return new ContainerStart(containers).startAttached(r, interactive);
    }
  }

  /**
   * A running container's output from now until it ends, and its exit code, as Docker attaches to it; with
   * {@code input}, this standard input becomes the container's.
   */
  static int attachRunning(CommandSpec spec, Store store, Containers containers, ContainerRecord r, boolean input)
      throws java.io.IOException, InterruptedException {
    java.util.OptionalInt code = AttachSession.attach(store, containers, r, spec.commandLine().getOut(),
        spec.commandLine().getErr(), input ? System.in : null, true);
    if (code.isEmpty()) {
      throw new Errors.UserError("container " + r.name() + " was removed when it ended (run with --rm): its exit"
          + " code went with it");
    }
    return code.getAsInt();
  }
}
