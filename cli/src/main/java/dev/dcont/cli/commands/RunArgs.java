package dev.dcont.cli.commands;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code dcont [--root DIR] [--debug] run [OPTIONS] IMAGE [COMMAND [ARG…]]} without building picocli's
 * model. picocli stays the parser of record: this reader takes only the plain spellings of run's own options
 * ({@code --name x}, {@code --name=x}, {@code -e x}, clustered flags such as {@code -dit}) with values that every
 * parser reads alike, and answers null for anything else, from {@code --help} and unknown options to a value
 * that starts with '-', an {@code @file} argument, a repeated single-valued option or a number picocli would
 * reject, which the caller then hands to picocli for its exact behaviour and messages.
 *
 * <p>Why: a {@code dcont run} is mostly JVM start-up, and building picocli's model of run (annotation proxies,
 * reflection over ~30 options, its converters and patterns) was ~75 ms of a 230 ms run on a 2-core machine,
 * all of it before the container could be made. {@code RunArgsTest} checks, option by option and for many
 * argument lists, that what this reader sets equals what picocli sets, so the two cannot drift apart.
 */
public final class RunArgs {
  /** What was read: the run command with its fields set as picocli would, and the global options. */
  public record Parsed(RunCommand command, Path root, boolean debug) { }

  private RunArgs() { }

  /** The parsed run command line, or null when it is not a run command this reader takes. */
  public static Parsed parse(String[] args) {
    for (String a : args) {
      if (a.startsWith("@")) {
        return null; // picocli expands argument files
      }
    }
    Reader r = new Reader();
    int i = 0;
    for (; i < args.length; i++) {
      String a = args[i];
      if (a.equals("run")) {
        break;
      }
      int taken = r.global(args, i);
      if (taken < 0) {
        return null;
      }
      i += taken;
    }
    if (i >= args.length) {
      return null;
    }
    i++;
    for (; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--")) {
        i++;
        break;
      }
      if (!a.startsWith("-") || a.equals("-")) {
        break;
      }
      int taken = r.global(args, i);
      if (taken == UNKNOWN) {
        taken = r.option(args, i);
      }
      if (taken < 0) {
        return null;
      }
      i += taken;
    }
    if (i >= args.length) {
      return null; // no image: picocli's message
    }
    r.cmd.image = args[i];
    r.cmd.command = new ArrayList<>(List.of(args).subList(i + 1, args.length));
    return new Parsed(r.cmd, r.root, r.debug);
  }

  private static final int UNKNOWN = -1;
  private static final int REFUSED = -2;

  /** The state of one reading: the command and which single-valued options were seen. */
  private static final class Reader {
    final RunCommand cmd = new RunCommand();
    final java.util.Set<String> seen = new java.util.HashSet<>();
    Path root;
    boolean debug;

    Reader() {
      cmd.process = new ProcessOptions();
      cmd.network = "none";
      cmd.pull = "missing";
    }

    /** {@code --root DIR}, {@code --root=DIR}, {@code --debug}: how many arguments after {@code i} it took. */
    int global(String[] args, int i) {
      String a = args[i];
      if (a.equals("--debug")) {
        if (!once("--debug")) {
          return REFUSED;
        }
        debug = true;
        return 0;
      }
      String value;
      int taken;
      if (a.equals("--root")) {
        if (i + 1 >= args.length) {
          return REFUSED;
        }
        value = args[i + 1];
        taken = 1;
      } else if (a.startsWith("--root=")) {
        value = a.substring("--root=".length());
        taken = 0;
      } else {
        return UNKNOWN;
      }
      if (value.startsWith("-") || !once("--root")) {
        return REFUSED;
      }
      root = Path.of(value);
      return taken;
    }

    /** One of run's own options at {@code args[i]}: how many arguments after it it took, or REFUSED. */
    int option(String[] args, int i) {
      String a = args[i];
      if (!a.startsWith("--") && a.length() > 2) {
        // a cluster of flags (-it, -dit); anything else in a cluster (-eK=V) is left to picocli
        for (int k = 1; k < a.length(); k++) {
          if (!flag("-" + a.charAt(k))) {
            return REFUSED;
          }
        }
        return 0;
      }
      String name = a;
      String value = null;
      int eq = a.startsWith("--") ? a.indexOf('=') : -1;
      if (eq > 0) {
        name = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      if (value == null && flag(name)) {
        return 0;
      }
      int taken = 0;
      if (value == null) {
        if (i + 1 >= args.length || args[i + 1].startsWith("-")) {
          return REFUSED;
        }
        value = args[i + 1];
        taken = 1;
      }
      return value(name, value) ? taken : REFUSED;
    }

    private boolean once(String name) {
      return seen.add(name);
    }

    /** Sets a flag option (one without a value) if {@code name} is one and was not given before. */
    private boolean flag(String name) {
      String key = switch (name) {
        case "-d", "--detach" -> "--detach";
        case "--rm", "--read-only", "--init", "--privileged" -> name;
        case "-i", "--interactive" -> "--interactive";
        case "-t", "--tty" -> "--tty";
        default -> null;
      };
      if (key == null || !once(key)) {
        return false;
      }
      switch (key) {
        case "--detach" -> cmd.detach = true;
        case "--rm" -> cmd.rm = true;
        case "--read-only" -> cmd.readOnly = true;
        case "--init" -> cmd.init = true;
        case "--privileged" -> cmd.privileged = true;
        case "--interactive" -> cmd.process.interactive = true;
        default -> cmd.process.tty = true;
      }
      return true;
    }

    /** Sets an option that takes a value; false for an unknown option, a repeat or a value picocli reads otherwise. */
    private boolean value(String name, String value) {
      switch (name) {
        case "-e", "--env" -> cmd.process.env.add(value);
        case "--env-file" -> cmd.envFiles.add(Path.of(value));
        case "-v", "--volume" -> cmd.volumes.add(value);
        case "--tmpfs" -> cmd.tmpfs.add(value);
        case "--cap-add" -> cmd.capAdd.add(value);
        case "--cap-drop" -> cmd.capDrop.add(value);
        default -> {
          return single(name, value);
        }
      }
      return true;
    }

    private boolean single(String name, String value) {
      String key = switch (name) {
        case "-h", "--hostname" -> "--hostname";
        case "-m", "--memory" -> "--memory";
        case "--network", "--net" -> "--network";
        case "-w", "--workdir" -> "--workdir";
        case "-u", "--user" -> "--user";
        case "--name", "--entrypoint", "--memory-swap", "--platform", "--pull", "--cpus", "--pids-limit" -> name;
        default -> null;
      };
      if (key == null || !once(key)) {
        return false;
      }
      switch (key) {
        case "--hostname" -> cmd.hostname = value;
        case "--memory" -> cmd.memory = value;
        case "--network" -> cmd.network = value;
        case "--workdir" -> cmd.process.workdir = value;
        case "--user" -> cmd.process.user = value;
        case "--name" -> cmd.name = value;
        case "--entrypoint" -> cmd.entrypoint = value;
        case "--memory-swap" -> cmd.memorySwap = value;
        case "--platform" -> cmd.platform = value;
        case "--pull" -> cmd.pull = value;
        case "--cpus" -> {
          if (!value.matches("[0-9]{1,9}(\\.[0-9]{1,9})?")) {
            return false;
          }
          cmd.cpus = Double.valueOf(value);
        }
        default -> {
          if (!value.matches("0|[1-9][0-9]{0,17}")) {
            return false;
          }
          cmd.pidsLimit = Long.valueOf(value);
        }
      }
      return true;
    }
  }
}
