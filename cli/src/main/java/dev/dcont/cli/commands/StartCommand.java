package dev.dcont.cli.commands;

import dev.dcont.cli.run.ContainerStart;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont start CONTAINER…}: runs stopped containers again, detached, on the networks they are attached to. */
@Command(name = "start", description = "Start stopped containers (detached), on every network they are attached to.")
public final class StartCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    return ForEachContainer.run(spec, names,
        (store, containers, c) -> new ContainerStart(containers).start(c));
  }
}
