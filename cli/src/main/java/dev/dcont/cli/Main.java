package dev.dcont.cli;

import dev.dcont.cli.commands.DiffCommand;
import dev.dcont.cli.commands.ExportCommand;
import dev.dcont.cli.commands.LoadCommand;
import dev.dcont.cli.commands.SaveCommand;
import dev.dcont.cli.commands.HistoryCommand;
import dev.dcont.cli.commands.NetworkCommand;
import dev.dcont.cli.commands.PortCommand;
import dev.dcont.cli.commands.ImagesCommand;
import dev.dcont.cli.commands.InspectCommand;
import dev.dcont.cli.commands.LayersCommand;
import dev.dcont.cli.commands.LoginCommand;
import dev.dcont.cli.commands.LogoutCommand;
import dev.dcont.cli.commands.PullCommand;
import dev.dcont.cli.commands.PushCommand;
import dev.dcont.cli.commands.TagCommand;
import dev.dcont.cli.commands.PauseCommand;
import dev.dcont.cli.commands.UnpauseCommand;
import dev.dcont.cli.commands.TopCommand;
import dev.dcont.cli.commands.WaitCommand;
import dev.dcont.cli.commands.ExecCommand;
import dev.dcont.cli.commands.KillCommand;
import dev.dcont.cli.commands.LogsCommand;
import dev.dcont.cli.commands.PsCommand;
import dev.dcont.cli.commands.RmCommand;
import dev.dcont.cli.commands.RmiCommand;
import dev.dcont.cli.commands.AttachCommand;
import dev.dcont.cli.commands.CreateCommand;
import dev.dcont.cli.commands.RestartCommand;
import dev.dcont.cli.commands.RunCommand;
import dev.dcont.cli.commands.StartCommand;
import dev.dcont.cli.commands.StopCommand;
import dev.dcont.cli.commands.SystemCommand;
import dev.dcont.store.StoreLayout;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code dcont} command line. The top-level command, run, exec, pull and push are built through picocli's
 * programmatic API, the other commands from their annotations: a {@code run} is mostly JVM start-up, and the
 * JVM's first use of annotations (reflection, annotation proxies) would be a large part of it.
 */
public final class Main implements Runnable {
  /** Every subcommand, in the order help lists them. */
  static final List<Class<?>> COMMANDS = List.of(
      RunCommand.class,
      CreateCommand.class,
      PullCommand.class,
      PushCommand.class,
      TagCommand.class,
      ImagesCommand.class,
      InspectCommand.class,
      RmiCommand.class,
      LayersCommand.class,
      HistoryCommand.class,
      DiffCommand.class,
      SystemCommand.class,
      PsCommand.class,
      LogsCommand.class,
      AttachCommand.class,
      WaitCommand.class,
      TopCommand.class,
      ExecCommand.class,
      StartCommand.class,
      StopCommand.class,
      RestartCommand.class,
      KillCommand.class,
      PauseCommand.class,
      UnpauseCommand.class,
      RmCommand.class,
      LoginCommand.class,
      LogoutCommand.class,
      SaveCommand.class,
      LoadCommand.class,
      ExportCommand.class,
      NetworkCommand.class,
      PortCommand.class,
      CommandLine.HelpCommand.class);

  private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

  private Main() {
    spec.name("dcont");
    spec.versionProvider(new Version());
    spec.usageMessage().description("Pull, inspect and run container images without a daemon.");
    GlobalOptions.addTo(spec);
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help and exit.")
        .build());
    spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
        .description("Print the version and exit.").build());
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see 'dcont --help')");
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(execute(args, out, err));
  }

  /** Runs dcont with the given arguments and streams; returns the exit code. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    Class<?> command = commandNamedIn(args);
    Path root = rootNamedIn(args);
    if (command != null && command != LoginCommand.class && command != LogoutCommand.class && root != null) {
      GlobalOptions.openEarly(root);
    }
    try {
      return newCommandLine(out, err, command).execute(args);
    } finally {
      GlobalOptions.closeUnclaimed();
    }
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
    CommandLine cl = new CommandLine(new Main().spec);
    for (Class<?> c : COMMANDS) {
      if (only == null || c == only) {
        if (c == RunCommand.class) {
          cl.addSubcommand(RunCommand.NAME, new CommandLine(RunCommand.newSpec()));
        } else if (c == CreateCommand.class) {
          cl.addSubcommand(CreateCommand.NAME, new CommandLine(RunCommand.newCreateSpec()));
        } else if (c == PullCommand.class) {
          cl.addSubcommand(PullCommand.NAME, new CommandLine(PullCommand.newSpec()));
        } else if (c == PushCommand.class) {
          cl.addSubcommand(PushCommand.NAME, new CommandLine(PushCommand.newSpec()));
        } else if (c == ExecCommand.class) {
          cl.addSubcommand(ExecCommand.NAME, new CommandLine(ExecCommand.newSpec()));
        } else {
          cl.addSubcommand(c);
        }
        CommandLine sub = cl.getSubcommands().get(nameOf(c));
        if (c != CommandLine.HelpCommand.class) {
          addHelpOption(sub);
        }
        if (c == RunCommand.class || c == CreateCommand.class || c == ExecCommand.class || c == TopCommand.class) {
          // as docker: options after the image (or container) belong to the container's command (top's: ps's)
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
    // a loop, not a stream: this is on every command's way to its work, where a lambda's first use costs
    for (CommandLine sub : new java.util.LinkedHashSet<>(cl.getSubcommands().values())) {
      addHelpOption(sub);
    }
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
        if (nameOf(c).equals(a) || aliasesOf(c).contains(a)) {
          return c == CommandLine.HelpCommand.class ? null : c;
        }
      }
      return null;
    }
    return null;
  }

  /**
   * The store root that the options before the command name give ({@code --root DIR} or {@code --root=DIR}),
   * else the default; null when a {@code --root} comes later, where it may be the command's (picocli takes an
   * inherited option after the command too) or its container's: then no store is opened early, so that none
   * is opened that the command does not name. Only to start opening the store early: picocli's parse decides,
   * and {@link GlobalOptions} compares the two before it hands the early store out.
   */
  static Path rootNamedIn(String[] args) {
    Path root = null;
    boolean command = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      boolean option = a.equals("--root") || a.startsWith("--root=");
      if (option && command) {
        return null;
      } else if (a.equals("--root") && i + 1 < args.length) {
        root = Path.of(args[++i]);
      } else if (a.startsWith("--root=")) {
        root = Path.of(a.substring("--root=".length()));
      } else if (!a.startsWith("-")) {
        command = true;
      }
    }
    return root != null ? root : StoreLayout.defaultRoot();
  }

  /** A command's name: run's and exec's from their programmatic model, the others' from their annotation. */
  private static String nameOf(Class<?> command) {
    if (command == RunCommand.class) {
      return RunCommand.NAME;
    }
    if (command == CreateCommand.class) {
      return CreateCommand.NAME;
    }
    if (command == PullCommand.class) {
      return PullCommand.NAME;
    }
    if (command == PushCommand.class) {
      return PushCommand.NAME;
    }
    return command == ExecCommand.class ? ExecCommand.NAME : command.getAnnotation(Command.class).name();
  }

  private static List<String> aliasesOf(Class<?> command) {
    Command c = command.getAnnotation(Command.class);
    return c == null ? List.of() : Arrays.asList(c.aliases());
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
