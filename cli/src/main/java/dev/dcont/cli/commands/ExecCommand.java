package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.run.Containers;
import dev.dcont.runtime.ContainerException;
import dev.dcont.store.Store;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont exec [-it] CONTAINER CMD…}: joins a running container's namespaces and cgroup. */
@Command(name = "exec", description = "Run a command in a running container.")
public final class ExecCommand implements Callable<Integer>, Errors.RunFailureCode {
  @Spec
  CommandSpec spec;

  @Mixin
  ProcessOptions process;

  @Parameters(index = "0", paramLabel = "CONTAINER")
  String container;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND")
  List<String> command;

  @Override
  public Integer call() throws Exception {
    try (Store store = GlobalOptions.openStore()) {
      Containers containers = new Containers(store);
      try {
        return containers.exec(containers.get(container), command, process.tty, process.interactive,
            process.env, process.user, process.workdir);
      } catch (ContainerException e) {
        throw new Errors.UserError(e.getMessage(), e.dockerExitCode());
      }
    }
  }
}
