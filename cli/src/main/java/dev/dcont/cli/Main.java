package dev.dcont.cli;

import dev.dcont.cli.commands.ImagesCommand;
import dev.dcont.cli.commands.InspectCommand;
import dev.dcont.cli.commands.LoginCommand;
import dev.dcont.cli.commands.LogoutCommand;
import dev.dcont.cli.commands.PullCommand;
import dev.dcont.cli.commands.RmiCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dcont} command line. */
@Command(name = "dcont",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Pull, inspect and run container images without a daemon.",
    subcommands = {
        PullCommand.class,
        ImagesCommand.class,
        InspectCommand.class,
        RmiCommand.class,
        LoginCommand.class,
        LogoutCommand.class,
        CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  GlobalOptions globals;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see 'dcont --help')");
  }

  public static void main(String[] args) {
    System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs dcont with the given arguments and streams; returns the exit code. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = newCommandLine(out, err);
    return cl.execute(args);
  }

  public static CommandLine newCommandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(new Errors.Handler());
    cl.setParameterExceptionHandler(new Errors.UsageHandler());
    cl.setExitCodeExceptionMapper(Errors::exitCode);
    return cl;
  }

  /** {@code --version}. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"dcont " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
