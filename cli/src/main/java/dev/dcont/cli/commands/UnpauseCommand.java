package dev.dcont.cli.commands;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont unpause CONTAINER…}: thaws paused containers, as {@code docker unpause}. */
@Command(name = "unpause", description = "Unpause all processes of paused containers.")
public final class UnpauseCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    return ForEachContainer.run(spec, names, (store, containers, c) -> containers.unpause(c));
  }
}
