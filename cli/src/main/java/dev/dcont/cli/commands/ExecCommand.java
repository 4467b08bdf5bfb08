package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.run.Containers;
import dev.dcont.runtime.ContainerException;
import dev.dcont.store.Store;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code dcont exec [-it] CONTAINER CMD…}: joins a running container's namespaces and cgroup. Its model is built
 * through picocli's programmatic API, as run's is, since the two share {@link ProcessOptions}.
 */
public final class ExecCommand implements Callable<Integer>, Errors.RunFailureCode {
  public static final String NAME = "exec";

  private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);
  private final ProcessOptions process;
  private final PositionalParamSpec container;
  private final PositionalParamSpec command;

  private ExecCommand() {
    spec.name(NAME);
    spec.usageMessage().description("Run a command in a running container.");
    process = new ProcessOptions(spec);
    container = PositionalParamSpec.builder().index("0").arity("1").required(true).type(String.class)
        .paramLabel("CONTAINER").build();
    spec.addPositional(container);
    command = PositionalParamSpec.builder().index("1..*").arity("1..*").required(true).type(List.class)
        .auxiliaryTypes(String.class).paramLabel("COMMAND").build();
    spec.addPositional(command);
  }

  /** A new exec command for picocli: its model, with this command as the one it executes. */
  public static CommandSpec newSpec() {
    return new ExecCommand().spec;
  }

  @Override
  public Integer call() throws Exception {
    try (Store store = GlobalOptions.openStore()) {
      Containers containers = new Containers(store);
      try {
        return containers.exec(containers.get(container.getValue()), Options.values(command), process.tty(),
            process.interactive(), process.env(), process.user(), process.workdir());
      } catch (ContainerException e) {
        throw new Errors.UserError(e.getMessage(), e.dockerExitCode());
      }
    }
  }
}
