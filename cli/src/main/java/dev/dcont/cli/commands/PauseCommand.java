package dev.dcont.cli.commands;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dcont pause CONTAINER…}: freezes every process of running containers (the cgroup freezer), as
 * {@code docker pause}; {@code ps} shows them {@code (Paused)} until {@code dcont unpause}. A paused container is
 * thawed when it is stopped, killed or removed, so that the signal takes effect.
 */
@Command(name = "pause", description = "Pause all processes of running containers.")
public final class PauseCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    return ForEachContainer.run(spec, names, (store, containers, c) -> containers.pause(c));
  }
}
