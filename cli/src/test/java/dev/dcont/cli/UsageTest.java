package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageTest {
  @TempDir
  Path root;

  @Test
  void unknownCommandIsAUsageErrorOnOneLine() {
    Cli.Result r = Cli.run(root, "bogus");
    assertEquals(2, r.code());
    assertEquals("dcont: unknown command 'bogus' (see 'dcont --help')\n", r.err());
  }

  @Test
  void unknownOptionNamesTheCommandsHelp() {
    Cli.Result r = Cli.run(root, "images", "--bogus");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("dcont: Unknown option: '--bogus'") && r.err().contains("dcont images --help"),
        r.err());
  }

  @Test
  void runUsageErrorsExit125AsDocker() {
    Cli.Result r = Cli.run(root, "run");
    assertEquals(125, r.code(), r.toString());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void versionAndHelp() {
    Cli.Result v = Cli.run(root, "--version");
    assertEquals(0, v.code());
    assertTrue(v.out().startsWith("dcont "), v.out());
    Cli.Result h = Cli.run(root, "--help");
    assertEquals(0, h.code());
    for (String cmd : new String[] {"run", "pull", "images", "inspect", "rmi", "layers", "history", "diff", "system",
        "ps", "logs", "exec", "stop", "kill", "rm", "login", "logout"}) {
      assertTrue(h.out().lines().anyMatch(l -> l.strip().startsWith(cmd + " ") || l.strip().startsWith(cmd + ",")),
          "help lists " + cmd + ":\n" + h.out());
    }
  }

  @Test
  void commandOptionsAfterTheImageBelongToTheContainer() {
    // parsing only: the image does not exist, so run stops with 125 before starting anything
    Cli.Result r = Cli.run(root, "run", "--pull", "never", "127.0.0.1:1/none", "sh", "-c", "--not-an-option");
    assertEquals(125, r.code(), r.toString());
    assertTrue(r.err().contains("No such image"), r.err());
  }

  @Test
  void runsOwnFailuresAreOneLineAndExit125() {
    // a value that starts with '-' is the option's value
    Cli.Result r = Cli.run(root, "run", "--memory-swap", "-1", "--pull", "never", "127.0.0.1:1/none", "true");
    assertEquals(125, r.code(), r.toString());
    assertEquals("dcont: No such image: 127.0.0.1:1/none (and --pull never)\n", r.err());
    Cli.Result bad = Cli.run(root, "run", "--network", "no/such", "--pull", "never", "busybox");
    assertEquals(125, bad.code(), bad.toString());
    assertEquals("dcont: invalid --network 'no/such' (bridge, none, host, a network's name or container:NAME)\n", bad.err());
    Cli.Result twice = Cli.run(root, "run", "--name", "a", "--name", "b", "busybox");
    assertEquals(125, twice.code(), twice.toString());
    assertEquals("dcont: option '--name' (<name>) should be specified only once (see 'dcont run --help')\n",
        twice.err());
  }

  @Test
  void everyCommandTakesHelp() {
    for (String cmd : new String[] {"images", "run", "pull", "ps", "system", "exec"}) {
      Cli.Result r = Cli.run(root, cmd, "--help");
      assertEquals(0, r.code(), cmd + ": " + r);
      assertTrue(r.out().startsWith("Usage: dcont " + cmd), r.out());
    }
    Cli.Result df = Cli.run(root, "system", "df", "--help");
    assertEquals(0, df.code(), df.toString());
    assertTrue(df.out().startsWith("Usage: dcont system df"), df.out());
    assertEquals(0, Cli.run(root, "-h").code());
  }
}
