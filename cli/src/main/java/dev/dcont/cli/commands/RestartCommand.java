package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.run.ContainerStart;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dcont restart [-t N] CONTAINER…}: stop as {@code dcont stop} does, then start detached as
 * {@code dcont start} does; a stopped container is started. A running container of {@code run --rm} is refused:
 * its monitor removes it when it stops.
 */
@Command(name = "restart", description = "Restart containers: stop (StopSignal, SIGKILL after a grace period),"
    + " then start detached.")
public final class RestartCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-t", "--time"}, defaultValue = "10", description = "Seconds to wait before killing (default 10).")
  int seconds;

  @Option(names = {"-s", "--signal"}, description = "Signal to stop with (default: the image's StopSignal, else TERM).")
  String signal;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    return ForEachContainer.run(spec, names, (store, containers, c) -> {
      if (c.autoRemove() && containers.status(c).running()) {
        throw new Errors.UserError("cannot restart container " + c.name() + ": it was run with --rm and is"
            + " removed when it stops (stop it, then run it again)");
      }
      containers.stop(c, StopCommand.stopSignal(store, c, signal), Math.max(0, seconds));
      new ContainerStart(containers).start(store.containers().byId(c.id()).orElseThrow());
    });
  }
}
