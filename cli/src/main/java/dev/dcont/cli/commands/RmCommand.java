package dev.dcont.cli.commands;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont rm [-f] CONTAINER…}: removes containers with their mounts, cgroups, files and rows. */
@Command(name = "rm", description = "Remove containers (-f: kill running ones first).")
public final class RmCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--force"}, description = "Kill and remove running containers.")
  boolean force;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    return ForEachContainer.run(spec, names, (store, containers, c) -> containers.remove(c, force));
  }
}
