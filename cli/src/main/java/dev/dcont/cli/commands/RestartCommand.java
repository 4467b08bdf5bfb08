package dev.dcont.cli.commands;

import dev.dcont.cli.run.ContainerStart;
import dev.dcont.store.db.ContainerRecord;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dcont restart [-t N] CONTAINER…}: stop as {@code dcont stop} does, then start detached as
 * {@code dcont start} does; a stopped container is started. A container of {@code run --rm} has its removal turned
 * off while it is stopped and on again once it runs, as Docker's daemon does, so that its monitor's clean-up (and
 * a {@code ps} meanwhile) leaves it; one that does not start again is removed, as {@code --rm} asks.
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
      boolean rm = c.autoRemove();
      if (rm) {
        store.containers().setAutoRemove(c.id(), false);
      }
      try {
        containers.stop(c, StopCommand.stopSignal(store, c, signal), Math.max(0, seconds));
        // started as a --rm container again: its new monitor removes it when it ends
        new ContainerStart(containers).start(store.containers().byId(c.id()).orElseThrow().withAutoRemove(rm));
      } finally {
        if (rm) {
          store.containers().setAutoRemove(c.id(), true);
          ContainerRecord now = store.containers().byId(c.id()).orElse(null);
          if (now != null && !containers.status(now).running()) {
            containers.remove(now, false);
          }
        }
      }
    });
  }
}
