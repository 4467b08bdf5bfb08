package dev.dcont.cli;

import dev.dcont.cli.commands.DiffCommand;
import dev.dcont.cli.commands.HistoryCommand;
import dev.dcont.cli.commands.ImagesCommand;
import dev.dcont.cli.commands.InspectCommand;
import dev.dcont.cli.commands.LayersCommand;
import dev.dcont.cli.commands.LoginCommand;
import dev.dcont.cli.commands.LogoutCommand;
import dev.dcont.cli.commands.PullCommand;
import dev.dcont.cli.commands.ExecCommand;
import dev.dcont.cli.commands.KillCommand;
import dev.dcont.cli.commands.LogsCommand;
import dev.dcont.cli.commands.PsCommand;
import dev.dcont.cli.commands.RmCommand;
import dev.dcont.cli.commands.RmiCommand;
import dev.dcont.cli.commands.RunArgs;
import dev.dcont.cli.commands.RunCommand;
import dev.dcont.cli.commands.StopCommand;
import dev.dcont.cli.commands.SystemCommand;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dcont} command line. */
@Command(name = "dcont",
    versionProvider = Main.Version.class,
    description = "Pull, inspect and run container images without a daemon.")
public final class Main implements Runnable {
  /** Every subcommand, in the order help lists them. */
  static final List<Class<?>> COMMANDS = List.of(
      RunCommand.class,
      PullCommand.class,
      ImagesCommand.class,
      InspectCommand.class,
      RmiCommand.class,
      LayersCommand.class,
      HistoryCommand.class,
      DiffCommand.class,
      SystemCommand.class,
      PsCommand.class,
      LogsCommand.class,
      ExecCommand.class,
      StopCommand.class,
      KillCommand.class,
      RmCommand.class,
      LoginCommand.class,
      LogoutCommand.class,
      CommandLine.HelpCommand.class);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  GlobalOptions globals;

  @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @CommandLine.Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version and exit.")
  boolean version;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see 'dcont --help')");
  }

  public static void main(String[] args) {
    RunArgs.Parsed run = RunArgs.parse(args);
    Class<?> command = run != null ? RunCommand.class : commandNamedIn(args);
    EarlyStore.begin(args, (command == PullCommand.class || command == RunCommand.class)
        && !Arrays.asList(args).contains("--help"), warmingFor(command));
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(run != null ? run(run, out, err) : newCommandLine(out, err, command).execute(args));
  }

  /** A run command line that {@link RunArgs} read (the common spellings): run without building picocli's model. */
  static int run(RunArgs.Parsed run, PrintWriter out, PrintWriter err) {
    GlobalOptions.set(run.root(), run.debug());
    try {
      return run.command().call(out, err);
    } catch (Exception e) {
      return Errors.report(e, err, true);
    }
  }

  /** What a side thread warms for a command while the command line is parsed (see {@link EarlyStore}). */
  static Runnable warmingFor(Class<?> command) {
    if (command == RunCommand.class) {
      return new Runnable() {
        @Override
        public void run() {
          // in the order the command needs them: the image's config, the container's ID, the overlay mount
          EarlyStore.warmImageConfig();
          dev.dcont.cli.run.Names.newId();
          dev.dcont.layers.sys.NativeSyscalls.get();
        }
      };
    }
    if (command == PullCommand.class) {
      return new Runnable() {
        @Override
        public void run() {
          EarlyStore.warmPull();
        }
      };
    }
    return null;
  }

  /** Runs dcont with the given arguments and streams; returns the exit code. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    RunArgs.Parsed run = RunArgs.parse(args);
    if (run != null) {
      return run(run, out, err);
    }
    return newCommandLine(out, err, commandNamedIn(args)).execute(args);
  }

  public static CommandLine newCommandLine(PrintWriter out, PrintWriter err) {
    return newCommandLine(out, err, null);
  }

  /**
   * Builds the command line. Building picocli's model of a command costs reflection, so when the
   * arguments name a command ({@code only}, from {@link #commandNamedIn}), only that one is registered
   * (start-up time is a feature); null registers them all.
   */
  static CommandLine newCommandLine(PrintWriter out, PrintWriter err, Class<?> only) {
    CommandLine cl = new CommandLine(new Main());
    for (Class<?> c : COMMANDS) {
      if (only == null || c == only) {
        cl.addSubcommand(c);
        if (c != CommandLine.HelpCommand.class) {
          addHelpOption(cl.getSubcommands().get(c.getAnnotation(Command.class).name()));
        }
        if (c == RunCommand.class || c == ExecCommand.class) {
          // as docker: options after the image (or container) belong to the container's command
          CommandLine sub = cl.getSubcommands().get(c.getAnnotation(Command.class).name());
          sub.setStopAtPositional(true);
        }
      }
    }
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(new Errors.Handler());
    cl.setParameterExceptionHandler(new Errors.UsageHandler());
    // no exit-code exception mapper: both handlers return the exit code themselves, and picocli's mapper
    // interface is left out of the class-data-sharing archive, so using it opens jars at every start (~12 ms)
    return cl;
  }

  /** --help on a command and its own subcommands; not -h, which 'run' uses for --hostname as docker does. */
  private static void addHelpOption(CommandLine cl) {
    cl.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("--help").usageHelp(true)
        .description("Show this help and exit.").build());
    cl.getSubcommands().values().stream().distinct().forEach(Main::addHelpOption);
  }

  /** The command class the first non-option argument names, or null (then all are registered). */
  static Class<?> commandNamedIn(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--root")) {
        i++;
        continue;
      }
      if (a.startsWith("-")) {
        continue;
      }
      for (Class<?> c : COMMANDS) {
        Command cmd = c.getAnnotation(Command.class);
        if (cmd.name().equals(a) || Arrays.asList(cmd.aliases()).contains(a)) {
          return c == CommandLine.HelpCommand.class ? null : c;
        }
      }
      return null;
    }
    return null;
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
