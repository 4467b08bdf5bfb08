package dev.dcont.cli.commands;

import dev.dcont.runtime.Signals;
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
    return ForEachContainer.run(spec, names, (store, containers, c) -> containers.kill(c, sig));
  }
}
