package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.cli.commands.RunArgs;
import dev.dcont.cli.commands.RunCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** RunArgs (run's command line read without picocli's model) against picocli, the parser of record. */
class RunArgsTest {
  @TempDir
  Path root;

  @AfterEach
  void reset() {
    GlobalOptions.reset();
  }

  /** What picocli sets for {@code args}: run's fields (the mixin's too) and the global options. */
  private static Map<String, Object> picocli(String... args) throws Exception {
    GlobalOptions.reset();
    CommandLine cl = Main.newCommandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
        RunCommand.class);
    CommandLine.ParseResult parsed = cl.parseArgs(args);
    RunCommand cmd = (RunCommand) parsed.subcommand().commandSpec().userObject();
    Map<String, Object> out = fields(cmd);
    out.put("root", GlobalOptions.root());
    out.put("debug", GlobalOptions.debug());
    GlobalOptions.reset();
    return out;
  }

  /** What RunArgs sets for {@code args}, in the same shape; null when it leaves them to picocli. */
  private static Map<String, Object> fast(String... args) throws Exception {
    RunArgs.Parsed p = RunArgs.parse(args);
    if (p == null) {
      return null;
    }
    GlobalOptions.reset();
    GlobalOptions.set(p.root(), p.debug());
    Map<String, Object> out = fields(p.command());
    out.put("root", GlobalOptions.root());
    out.put("debug", GlobalOptions.debug());
    GlobalOptions.reset();
    return out;
  }

  /** Every option and parameter field of the command and its process options, by name. */
  private static Map<String, Object> fields(Object o) throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Field f : o.getClass().getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) || f.getType() == CommandLine.Model.CommandSpec.class
          || f.getType() == PrintWriter.class) {
        continue;
      }
      f.setAccessible(true);
      Object v = f.get(o);
      if (v != null && v.getClass().getSimpleName().equals("ProcessOptions")) {
        for (Map.Entry<String, Object> e : fields(v).entrySet()) {
          out.put("process." + e.getKey(), e.getValue());
        }
      } else {
        out.put(f.getName(), v);
      }
    }
    return out;
  }

  private static void sameAsPicocli(String... args) throws Exception {
    Map<String, Object> fast = fast(args);
    assertNotNull(fast, "RunArgs should read " + List.of(args));
    assertEquals(picocli(args), fast, "for " + List.of(args));
  }

  @Test
  void everyOptionOfRunIsReadAsPicocliReadsIt() throws Exception {
    CommandLine cl = Main.newCommandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
        RunCommand.class);
    List<OptionSpec> options = new ArrayList<>(cl.getSubcommands().get("run").getCommandSpec().options());
    assertTrue(options.size() > 25, "run's options: " + options.size());
    int checked = 0;
    for (OptionSpec o : options) {
      for (String name : o.names()) {
        if (o.usageHelp()) {
          assertNull(RunArgs.parse(new String[] {"run", name, "img"}), name + " is left to picocli");
          continue;
        }
        if (o.typeInfo().isBoolean()) {
          sameAsPicocli("run", name, "img", "cmd");
          sameAsPicocli("--root", "/r", "run", name, "img");
        } else {
          String v = switch (o.longestName()) {
            case "--cpus" -> "1.5";
            case "--pids-limit" -> "100";
            case "--root" -> "/some/root";
            case "--env-file" -> "/etc/some.env";
            default -> "v=1:x";
          };
          sameAsPicocli("run", name, v, "img");
          if (name.startsWith("--")) {
            sameAsPicocli("run", name + "=" + v, "img", "a", "b");
          }
          if (o.isMultiValue()) {
            sameAsPicocli("run", name, v, name, v + "2", "img");
          }
        }
        checked++;
      }
    }
    assertTrue(checked >= 37, "names checked: " + checked);
  }

  @Test
  void commonCommandLinesAreReadAsPicocliReadsThem() throws Exception {
    String[][] lines = {
        {"run", "img"},
        {"--root", "/r", "run", "--rm", "-it", "-e", "A=B", "-e", "C", "--name", "x", "-v", "/a:/b:ro", "img", "sh",
            "-c", "echo hi"},
        {"run", "-dit", "--memory=512m", "--cpus", "0.5", "--pids-limit", "0", "img"},
        {"--debug", "run", "--pull", "never", "img"},
        {"--root=/r", "--debug", "run", "img"},
        {"run", "--root", "/r", "--debug", "img"},
        {"run", "--", "img", "x"},
        {"run", "--rm", "--", "-img"},
        {"run", "img", "--rm", "-it", "--help"},
        {"run", "-ti", "img"},
        {"run", "-itd", "--init", "--privileged", "--read-only", "img"},
        {"run", "--network=host", "img"},
        {"run", "-w", "/w", "-u", "1000:1000", "-h", "box", "img", "id"},
        {"run", "--entrypoint", "", "--name=", "img"},
        {"run", "--cap-add", "ALL", "--cap-drop", "NET_RAW", "--cap-drop", "MKNOD", "--tmpfs", "/t:size=1m", "img"},
        {"run", "--env-file", "a.env", "--env-file", "/b.env", "--platform", "linux/arm64/v8", "img"},
        {"run", "--security-opt", "seccomp=/p.json", "--security-opt=no-new-privileges", "--privileged", "img"},
        {"run", "--security-opt", "seccomp:unconfined", "--security-opt", "apparmor=unconfined", "img"},
        {"run", "-", "x"},
        {"run", "--rm", "127.0.0.1:5000/a/b:tag@sha256:" + "0".repeat(64), "run", "run"},
    };
    for (String[] args : lines) {
      sameAsPicocli(args);
    }
  }

  @Test
  void anythingUnusualIsLeftToPicocli() {
    String[][] lines = {
        {"run"},
        {"run", "--rm"},
        {"images"},
        {"--version"},
        {"--help"},
        {"run", "--help", "img"},
        {"--root"},
        {"--root", "/r"},
        {"--bogus", "run", "img"},
        {"run", "--bogus", "img"},
        {"run", "--rm", "--rm", "img"},
        {"run", "-t", "--tty", "img"},
        {"run", "--name", "a", "--name", "b", "img"},
        {"run", "--root", "/a", "--root", "/b", "img"},
        {"run", "--cpus", "abc", "img"},
        {"run", "--cpus", "1e3", "img"},
        {"run", "--pids-limit", "010", "img"},
        {"run", "--pids-limit", "0x10", "img"},
        {"run", "--memory-swap", "-1", "img"},
        {"run", "--name", "--rm", "img"},
        {"run", "-eA=B", "img"},
        {"run", "-itv", "/a:/b", "img"},
        {"run", "--rm=true", "img"},
        {"run", "--name"},
        {"run", "@args.txt", "img"},
        {"run", "img", "@file"},
        {"--root", "--debug", "run", "img"},
        {"run", "--network=host", "--net", "none", "img"},
        {"pull", "run"},
    };
    for (String[] args : lines) {
      assertNull(RunArgs.parse(args), "left to picocli: " + List.of(args));
    }
  }

  @Test
  void whatIsLeftToPicocliStillRunsThere() {
    // '--memory-swap -1' is left to picocli (a value that starts with '-'); the command still reaches the store
    Cli.Result r = Cli.run(root, "run", "--memory-swap", "-1", "--pull", "never", "127.0.0.1:1/none", "true");
    assertEquals(125, r.code(), r.toString());
    assertEquals("dcont: No such image: 127.0.0.1:1/none (and --pull never)\n", r.err());
    // the same failure through RunArgs: one line, exit 125, as picocli's handler prints it
    Cli.Result f = Cli.run(root, "run", "--pull", "never", "127.0.0.1:1/none", "true");
    assertEquals(125, f.code(), f.toString());
    assertEquals(r.err(), f.err());
    Cli.Result bad = Cli.run(root, "run", "--network", "bridge", "--pull", "never", "busybox");
    assertEquals(125, bad.code(), bad.toString());
    assertEquals("dcont: invalid --network 'bridge' (dcont supports none and host)\n", bad.err());
  }
}
