package dev.dcont.cli.run;

import dev.dcont.cli.Errors;
import dev.dcont.store.model.ImageConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The container process as Docker derives it from the image config and the run flags:
 * {@code Entrypoint} + {@code Cmd} (arguments replace Cmd; {@code --entrypoint} replaces
 * Entrypoint and drops the image's Cmd), {@code Env} merged with {@code -e}/{@code --env-file},
 * {@code WorkingDir}/{@code -w}, {@code User}/{@code -u}.
 */
public record ProcessConfig(List<String> args, List<String> env, String cwd, String user) {
  public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /** The parts of {@code dcont run}'s flags that shape the process. */
  public record Flags(String entrypoint, List<String> command, List<String> env, List<Path> envFiles,
      String workdir, String user, boolean tty, String hostname) { }

  public static ProcessConfig of(ImageConfig.Config image, Flags flags, Map<String, String> hostEnv) {
    ImageConfig.Config img = image != null ? image
        : new ImageConfig.Config(null, null, null, null, null, null, null, null, null);
    List<String> entrypoint = img.entrypoint() == null ? List.of() : img.entrypoint();
    List<String> cmd = img.cmd() == null ? List.of() : img.cmd();
    if (flags.entrypoint() != null) {
      entrypoint = flags.entrypoint().isEmpty() ? List.of() : List.of(flags.entrypoint());
      cmd = List.of();
    }
    if (flags.command() != null && !flags.command().isEmpty()) {
      cmd = flags.command();
    }
    List<String> args = new ArrayList<>(entrypoint);
    args.addAll(cmd);
    if (args.isEmpty()) {
      throw new Errors.UserError("no command specified (the image has no Entrypoint or Cmd; give a command)",
          Errors.RUN_FAILED);
    }

    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", DEFAULT_PATH);
    if (flags.hostname() != null) {
      env.put("HOSTNAME", flags.hostname());
    }
    if (img.env() != null) {
      for (String e : img.env()) {
        put(env, e, hostEnv, true);
      }
    }
    if (flags.envFiles() != null) {
      for (Path f : flags.envFiles()) {
        for (String line : readEnvFile(f)) {
          put(env, line, hostEnv, false);
        }
      }
    }
    if (flags.env() != null) {
      for (String e : flags.env()) {
        put(env, e, hostEnv, false);
      }
    }
    if (flags.tty() && !env.containsKey("TERM")) {
      env.put("TERM", "xterm");
    }
    List<String> envList = new ArrayList<>();
    env.forEach((k, v) -> envList.add(k + "=" + v));

    String cwd = flags.workdir() != null && !flags.workdir().isEmpty() ? flags.workdir()
        : img.workingDir() != null && !img.workingDir().isEmpty() ? img.workingDir() : "/";
    if (!cwd.startsWith("/")) {
      throw new Errors.UserError("the working directory '" + cwd + "' is invalid, it needs to be an absolute path",
          Errors.RUN_FAILED);
    }
    String user = flags.user() != null ? flags.user() : img.user();
    return new ProcessConfig(List.copyOf(args), List.copyOf(envList), cwd, user == null ? "" : user);
  }

  private static void put(Map<String, String> env, String entry, Map<String, String> hostEnv, boolean fromImage) {
    int eq = entry.indexOf('=');
    if (eq == 0) {
      throw new Errors.UserError("invalid environment variable '" + entry + "' (empty name)", Errors.RUN_FAILED);
    }
    if (eq < 0) {
      if (fromImage) {
        return;
      }
      String v = hostEnv.get(entry);
      if (v != null) {
        env.put(entry, v);
      } else {
        env.remove(entry);
      }
      return;
    }
    env.put(entry.substring(0, eq), entry.substring(eq + 1));
  }

  static List<String> readEnvFile(Path f) {
    List<String> lines;
    try {
      lines = Files.readAllLines(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new Errors.UserError("--env-file " + f + ": cannot read (" + e.getMessage() + ")", Errors.RUN_FAILED);
    }
    List<String> out = new ArrayList<>();
    for (String raw : lines) {
      String line = raw.stripLeading();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.chars().anyMatch(Character::isWhitespace) && line.indexOf('=') < 0) {
        throw new Errors.UserError("--env-file " + f + ": variable '" + line + "' contains whitespaces",
            Errors.RUN_FAILED);
      }
      out.add(line);
    }
    return out;
  }

  /** The value of an environment entry, or null. */
  public String env(String key) {
    for (String e : env) {
      if (e.startsWith(key + "=")) {
        return e.substring(key.length() + 1);
      }
    }
    return null;
  }
}
