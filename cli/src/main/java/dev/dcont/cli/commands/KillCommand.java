package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.run.Containers;
import dev.dcont.runtime.Signals;
import dev.dcont.store.Store;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont kill [-s SIG] CONTAINER…}. */
@Command(name = "kill", description = "Send a signal (default KILL) to running containers.")
public final class KillCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-s", "--signal"}, defaultValue = "KILL", description = "Signal name or number (default KILL).")
  String signal;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    int sig;
    try {
      sig = Signals.parse(signal);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "invalid signal '" + signal + "'");
    }
    int failures = 0;
    try (Store store = GlobalOptions.openStore()) {
      Containers containers = new Containers(store);
      for (String n : names) {
        try {
          containers.kill(containers.get(n), sig);
          spec.commandLine().getOut().println(n);
        } catch (Errors.UserError e) {
          spec.commandLine().getErr().println("dcont: " + e.getMessage());
          failures++;
        }
      }
    }
    spec.commandLine().getOut().flush();
    return failures == 0 ? 0 : Errors.OPERATIONAL;
  }
}
