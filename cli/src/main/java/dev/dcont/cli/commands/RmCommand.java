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

  // the clean-up that a detached --rm container's monitor starts when it has ended: it removes the container only
  // if it has not been started again since and still asks for it (restart turns --rm off while it stops it)
  @Option(names = "--if-ended", hidden = true)
  boolean ifEnded;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    return ForEachContainer.run(spec, names, (store, containers, c) -> {
      if (!ifEnded) {
        containers.remove(c, force);
      } else if (c.autoRemove() && !containers.status(c).running()) {
        containers.remove(c, false);
      }
    });
  }
}
