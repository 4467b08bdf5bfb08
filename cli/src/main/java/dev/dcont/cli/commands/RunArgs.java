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
          if (!flag(canonical("-" + a.charAt(k)))) {
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
      String key = canonical(name);
      if (value == null && flag(key)) {
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
      return value(key, value) ? taken : REFUSED;
    }

    private boolean once(String name) {
      return seen.add(name);
    }

    /** Sets the flag option {@code key} (a long name, or null); false if it is no flag or was given before. */
    private boolean flag(String key) {
      if (key == null || !FLAGS.contains(key) || !once(key)) {
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

    /**
     * Sets the option {@code key} (a long name, or null) that takes a value; false for an unknown option, a flag,
     * a repeated single-valued option or a value picocli reads otherwise.
     */
    private boolean value(String key, String value) {
      if (key == null || FLAGS.contains(key)) {
        return false;
      }
      switch (key) {
        case "--env" -> cmd.process.env.add(value);
        case "--env-file" -> cmd.envFiles.add(Path.of(value));
        case "--volume" -> cmd.volumes.add(value);
        case "--tmpfs" -> cmd.tmpfs.add(value);
        case "--cap-add" -> cmd.capAdd.add(value);
        case "--cap-drop" -> cmd.capDrop.add(value);
        case "--security-opt" -> cmd.securityOpts.add(value);
        default -> {
          return once(key) && single(key, value);
        }
      }
      return true;
    }

    private boolean single(String key, String value) {
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
        case "--cgroup-parent" -> cmd.cgroupParent = value;
        case "--cpus" -> {
          if (!decimal(value, true)) {
            return false;
          }
          cmd.cpus = Double.valueOf(value);
        }
        default -> { // --pids-limit
          if (!decimal(value, false) || (value.length() > 1 && value.charAt(0) == '0')) {
            return false;
          }
          cmd.pidsLimit = Long.valueOf(value);
        }
      }
      return true;
    }

    /**
     * Plain digits ({@code [0-9]{1,9}}, with {@code fraction} also {@code .[0-9]{1,9}} after them): numbers that
     * picocli's converters and these read alike (no sign, exponent, hex or octal).
     */
    private static boolean decimal(String v, boolean fraction) {
      int dot = fraction ? v.indexOf('.') : -1;
      int whole = dot < 0 ? v.length() : dot;
      return digits(v, 0, whole, fraction ? 9 : 18) && (dot < 0 || digits(v, dot + 1, v.length(), 9));
    }

    private static boolean digits(String v, int from, int to, int max) {
      if (to <= from || to - from > max) {
        return false;
      }
      for (int k = from; k < to; k++) {
        if (v.charAt(k) < '0' || v.charAt(k) > '9') {
          return false;
        }
      }
      return true;
    }
  }

  /** run's options without a value, by their long names. */
  private static final java.util.Set<String> FLAGS = java.util.Set.of("--detach", "--rm", "--read-only", "--init",
      "--privileged", "--interactive", "--tty");

  /** The long name of one of run's own options, for any of its names; null for a name run does not have. */
  private static String canonical(String name) {
    return switch (name) {
      case "-d", "--detach" -> "--detach";
      case "-i", "--interactive" -> "--interactive";
      case "-t", "--tty" -> "--tty";
      case "-e", "--env" -> "--env";
      case "-v", "--volume" -> "--volume";
      case "-h", "--hostname" -> "--hostname";
      case "-m", "--memory" -> "--memory";
      case "--network", "--net" -> "--network";
      case "-w", "--workdir" -> "--workdir";
      case "-u", "--user" -> "--user";
      case "--rm", "--read-only", "--init", "--privileged", "--env-file", "--tmpfs", "--cap-add", "--cap-drop",
          "--security-opt", "--name", "--entrypoint", "--memory-swap", "--platform", "--pull", "--cpus", "--pids-limit",
          "--cgroup-parent" -> name;
      default -> null;
    };
  }
}
