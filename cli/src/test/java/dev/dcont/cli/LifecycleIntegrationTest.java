package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.Poll;
import dev.dcont.testkit.TestImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code create}, {@code start -a/-i} and {@code restart}, end to end, as Docker's. */
class LifecycleIntegrationTest extends ContainerTestBase {
  static String busybox;

  @BeforeAll
  static void setUp() throws Exception {
    host = ContainerHost.start("lifecycle");
    busybox = host.pushAndPull(root, "t/busybox", TestImage.builder()
        .layer(Busybox.rootfs().build(), Layer.Compression.GZIP).config("Cmd", List.of("sh")).build());
  }

  Cli.Result dcont(String... args) throws IOException, InterruptedException {
    return Cli.runProcess(root, work, host.inParent(args));
  }

  Cli.Result ok(String... args) throws Exception {
    Cli.Result r = dcont(args);
    assertEquals(0, r.code(), String.join(" ", args) + ": " + r);
    return r;
  }

  JsonDoc state(String container) throws Exception {
    return JsonDoc.parse(ok("inspect", container).out()).get(0).get("State");
  }

  private boolean mounted(String id) throws IOException {
    return Files.readString(Path.of("/proc/self/mountinfo")).contains(id);
  }

  private void assertNothingLeft() throws IOException {
    assertEquals("", Cli.run(root, "ps", "-a", "-q").out(), "no container left");
    Path containers = root.resolve("containers");
    if (Files.isDirectory(containers)) {
      try (Stream<Path> s = Files.list(containers)) {
        assertEquals(List.of(), s.toList(), "no container directory left");
      }
    }
    assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(root.toString()), "no mount left");
    assertEquals(List.of(), host.cgroups.children(), "no cgroup left under the class's parent");
  }

  @Test
  void createMakesAContainerThatStartRunsAttachedWithItsExitCodeOrDetached() throws Exception {
    Cli.Result created = ok("create", "--name", "made", busybox, "sh", "-c", "echo out-line; echo err-line >&2;"
        + " exit 3");
    String id = created.out().strip();
    assertTrue(id.matches("[0-9a-f]{64}"), "the full ID and nothing else: " + created);
    JsonDoc st = state("made");
    assertEquals("created", st.get("Status").asText(), st.toString());
    assertFalse(st.get("Running").asBoolean());
    assertTrue(ok("ps", "-a").out().lines().anyMatch(l -> l.contains("made") && l.contains("Created")));
    assertEquals("", ok("ps", "-q").out(), "not running");
    assertFalse(mounted(id), "a created container's root is mounted only when it starts");
    assertEquals(List.of(), host.cgroups.children(), "nor has it a cgroup");

    Cli.Result attached = dcont("start", "-a", "made");
    assertEquals(3, attached.code(), "the container's exit code: " + attached);
    assertTrue(attached.out().contains("out-line\n") && attached.out().contains("err-line\n"), attached.toString());
    assertFalse(attached.out().contains("made"), "no name printed when attached: " + attached);
    st = state("made");
    assertEquals("exited", st.get("Status").asText(), st.toString());
    assertEquals(3, st.get("ExitCode").asInt());
    assertFalse(mounted(id), "unmounted when it ended");

    // again, detached: the name printed, the output in its log
    assertEquals("made\n", ok("start", "made").out());
    Poll.until("made exited", Duration.ofSeconds(20), () -> !state("made").get("Running").asBoolean()
        && ok("logs", "made").out().contains("out-line"));
    assertEquals(3, state("made").get("ExitCode").asInt());
    ok("rm", "made");
    assertNothingLeft();
  }

  @Test
  void startInteractiveRelaysStandardInputUntilItsEnd() throws Exception {
    ok("create", "-i", "--name", "cat", busybox, "sh", "-c", "cat; echo done");
    Path log = work.resolve("start-i.log");
    Process p = Cli.command(root, "start", "-i", "cat").redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    try (OutputStream in = p.getOutputStream()) {
      in.write("typed in\n".getBytes(StandardCharsets.UTF_8));
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "start -i ends at the end of its input");
    assertEquals(0, p.exitValue(), Files.readString(log));
    assertEquals("typed in\ndone\n", Files.readString(log));
    ok("rm", "cat");
    assertNothingLeft();
  }

  @Test
  void attachAndStartAttachedShowARunningContainersOutputFromThenOnAndEndWithItsExitCode() throws Exception {
    for (String verb : List.of("attach", "start")) {
      String name = "talker-" + verb;
      ok("run", "-d", "--name", name, busybox, "sh", "-c", "echo early; i=0; while [ ! -e /go ]; do"
          + " echo tick$i; i=$((i+1)); sleep 0.2; done; echo late; echo late-err >&2; exit 9");
      Poll.until("early in the log", Duration.ofSeconds(20), () -> ok("logs", name).out().contains("early"));
      Path log = work.resolve(verb + ".log");
      List<String> args = verb.equals("attach") ? List.of("attach", name) : List.of("start", "-a", name);
      Process p = Cli.command(root, args.toArray(String[]::new)).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      Poll.until(verb + " following", Duration.ofSeconds(20), () -> Files.readString(log).contains("tick"));
      ok("exec", name, "touch", "/go");
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), verb + " ends with the container");
      String out = Files.readString(log);
      assertEquals(9, p.exitValue(), out);
      assertTrue(out.contains("late\n") && out.contains("late-err\n"), out);
      assertFalse(out.contains("early"), "what was written before it attached is the log's: " + out);
    }
    Cli.Result stopped = dcont("attach", "talker-attach");
    assertEquals(1, stopped.code(), stopped.toString());
    assertTrue(stopped.out().contains("start it first"), stopped.toString());
    ok("rm", "talker-attach", "talker-start");
    assertNothingLeft();
  }

  @Test
  void aContainerRunWithIKeepsItsInputOpenForEachClientThatAttaches() throws Exception {
    ok("run", "-d", "-i", "--name", "echoer", busybox, "cat");
    Path first = work.resolve("attach-first.log");
    Process a = Cli.command(root, "attach", "echoer").redirectErrorStream(true).redirectOutput(first.toFile())
        .start();
    try (OutputStream in = a.getOutputStream()) {
      in.write("one\n".getBytes(StandardCharsets.UTF_8));
    }
    // the first client's input ended there; the container's did not, and the client still gets its output
    Poll.until("the first client's line echoed", Duration.ofSeconds(30),
        () -> Files.readString(first).contains("one\n"));
    Path second = work.resolve("attach-second.log");
    Process b = Cli.command(root, "start", "-a", "-i", "echoer").redirectErrorStream(true)
        .redirectOutput(second.toFile()).start();
    try (OutputStream in = b.getOutputStream()) {
      in.write("two\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      Poll.until("the second client's line shown to both", Duration.ofSeconds(30),
          () -> Files.readString(second).contains("two\n") && Files.readString(first).contains("two\n"));
      assertTrue(state("echoer").get("Running").asBoolean(), "cat still reads its open input");
      ok("kill", "echoer");
      assertTrue(a.waitFor(60, TimeUnit.SECONDS) && b.waitFor(60, TimeUnit.SECONDS), "both end with it");
    }
    assertEquals(137, a.exitValue(), Files.readString(first));
    assertEquals(137, b.exitValue(), Files.readString(second));
    assertEquals("one\ntwo\n", Files.readString(first), "its output from the moment it attached");
    assertEquals("two\n", Files.readString(second));
    assertEquals("one\ntwo\n", ok("logs", "echoer").out());
    ok("rm", "echoer");
    assertNothingLeft();
  }

  @Test
  void attachTypesIntoATerminalContainerAndDetachesOnCtrlPCtrlQ() throws Exception {
    ok("run", "-d", "-i", "-t", "--name", "shell", busybox, "sh");
    Path log = work.resolve("detach.log");
    Process d = Cli.command(root, "attach", "shell").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try (OutputStream in = d.getOutputStream()) {
      in.write(new byte[] {0x10, 0x11});
      in.flush();
      assertTrue(d.waitFor(60, TimeUnit.SECONDS), "detached");
    }
    assertEquals(1, d.exitValue(), Files.readString(log));
    assertTrue(Files.readString(log).contains("read escape sequence"), Files.readString(log));
    assertTrue(state("shell").get("Running").asBoolean(), "left running");

    Path typed = work.resolve("typed.log");
    Process t = Cli.command(root, "attach", "shell").redirectErrorStream(true).redirectOutput(typed.toFile())
        .start();
    try (OutputStream in = t.getOutputStream()) {
      in.write("echo hi-$((1+2))\nexit 3\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      assertTrue(t.waitFor(60, TimeUnit.SECONDS), "ends with the shell");
    }
    assertEquals(3, t.exitValue(), "the shell's exit code: " + Files.readString(typed));
    assertTrue(Files.readString(typed).contains("hi-3"), Files.readString(typed));
    assertEquals(3, state("shell").get("ExitCode").asInt());
    ok("rm", "shell");
    assertNothingLeft();
  }

  @Test
  void attachFromATerminalGivesTheContainersTerminalItsSize() throws Exception {
    ok("run", "-d", "-i", "-t", "--name", "sized", busybox, "sh");
    // script(1) gives attach a terminal of its own, 33 rows by 101 columns, and types what this test writes
    String attach = Cli.javaCommand(root, "attach", "sized").stream().map(a -> "'" + a.replace("'", "'\\''") + "'")
        .collect(java.util.stream.Collectors.joining(" "));
    Path log = work.resolve("sized.log");
    Process p = new ProcessBuilder("script", "-q", "-e", "-c", "stty rows 33 cols 101; exec " + attach, "/dev/null")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write("stty size\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      Poll.until("the size shown", Duration.ofSeconds(60), () -> Files.readString(log).contains("33 101"));
      in.write("exit 5\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ends with the shell");
    }
    assertEquals(5, p.exitValue(), Files.readString(log));
    ok("rm", "sized");
    assertNothingLeft();
  }

  @Test
  void signalsToAttachGoToAContainerWithoutATerminal() throws Exception {
    ok("run", "-d", "--name", "trapper", busybox, "sh", "-c",
        "trap 'echo caught; exit 42' INT; while :; do echo tick; sleep 0.1; done");
    Path log = work.resolve("trapper.log");
    Process p = Cli.command(root, "attach", "trapper").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Poll.until("attached", Duration.ofSeconds(30), () -> Files.readString(log).contains("tick"));
    assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ends with the container");
    assertEquals(42, p.exitValue(), Files.readString(log));
    assertTrue(Files.readString(log).contains("caught"), Files.readString(log));
    ok("rm", "trapper");
    assertNothingLeft();
  }

  @Test
  void waitPrintsEachContainersExitCodeOnceItHasStopped() throws Exception {
    String loop = "while [ ! -e /go ]; do sleep 0.1; done; exit ";
    ok("run", "-d", "--name", "w-first", busybox, "sh", "-c", loop + "6");
    ok("run", "-d", "--rm", "--name", "w-rm", busybox, "sh", "-c", loop + "7");
    ok("create", "--name", "w-new", busybox, "true");
    Path log = work.resolve("wait.log");
    Process p = Cli.command(root, "wait", "w-first", "w-rm", "w-new", "nosuch").redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    ok("exec", "w-first", "touch", "/go");
    Poll.until("the first one's code", Duration.ofSeconds(30), () -> Files.readString(log).equals("6\n"));
    assertTrue(p.isAlive(), "still waiting for w-rm, which cannot end before /go is made: " + Files.readString(log));
    ok("exec", "w-rm", "touch", "/go");
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ends once each has stopped");
    String out = Files.readString(log);
    assertEquals(1, p.exitValue(), "one of them does not exist: " + out);
    assertTrue(out.startsWith("6\n7\n0\n"), "a --rm container's code too, and 0 for one never started: " + out);
    assertTrue(out.contains("No such container: nosuch"), out);
    assertEquals("6\n", ok("wait", "w-first").out(), "a stopped one at once");
    ok("rm", "w-first", "w-new");
    Poll.until("w-rm removed", Duration.ofSeconds(30), () -> ok("ps", "-a", "-q").out().isEmpty());
    assertNothingLeft();
  }

  @Test
  void topShowsTheContainersProcessesOnlyWithPsOptions() throws Exception {
    ok("run", "-d", "--name", "busy", busybox, "sh", "-c", "sleep 301 & sleep 302");
    Poll.until("both sleeps run", Duration.ofSeconds(30), () -> ok("top", "busy").out().contains("sleep 302")
        && ok("top", "busy").out().contains("sleep 301"));
    List<String> rows = ok("top", "busy").out().lines().toList();
    assertTrue(rows.get(0).contains("PID") && rows.get(0).contains("CMD"), "ps -ef's title: " + rows);
    assertEquals(3, rows.size(), "the title and the two sleeps (sh became the second), nothing of the host: " + rows);
    List<String> own = ok("top", "busy", "-o", "pid,comm").out().lines().toList();
    assertEquals(List.of("PID", "COMMAND"), List.of(own.get(0).trim().split("\\s+")), own.toString());
    assertEquals(3, own.size(), own.toString());
    Cli.Result bad = dcont("top", "busy", "--no-such-ps-option");
    assertEquals(1, bad.code(), bad.toString());
    assertEquals(1, bad.out().lines().count(), "one line: " + bad);
    ok("rm", "-f", "busy");
    Cli.Result gone = dcont("top", "busy");
    assertEquals(1, gone.code(), gone.toString());
    assertNothingLeft();
  }

  @Test
  void pauseFreezesAContainerUntilUnpauseAndAPausedOneStillStopsAndIsRemoved() throws Exception {
    ok("run", "-d", "--name", "ticker", busybox, "sh", "-c",
        "trap 'exit 3' TERM; i=0; while :; do i=$((i+1)); echo $i; sleep 0.05; done");
    Poll.until("ticking", Duration.ofSeconds(30), () -> ok("logs", "ticker").out().lines().count() > 3);
    assertEquals("ticker\n", ok("pause", "ticker").out());
    JsonDoc st = state("ticker");
    assertTrue(st.get("Paused").asBoolean() && st.get("Running").asBoolean(), st.toString());
    assertEquals("paused", st.get("Status").asText());
    assertTrue(ok("ps").out().contains("(Paused)"), ok("ps").out());
    int pid = st.get("Pid").asInt();
    Poll.until("the kernel reports its cgroup frozen", Duration.ofSeconds(30), () -> frozen(pid));
    long frozenAt = ok("logs", "ticker").out().lines().count();
    Cli.Result again = dcont("pause", "ticker");
    assertEquals(1, again.code(), again.toString());
    assertTrue(again.out().contains("already paused"), again.toString());
    Cli.Result exec = dcont("exec", "ticker", "true");
    assertTrue(exec.code() != 0 && exec.out().contains("unpause the container before exec"), exec.toString());
    // the two refusals above took the time of many ticks
    assertEquals(frozenAt, ok("logs", "ticker").out().lines().count(), "no tick while paused");

    ok("unpause", "ticker");
    Poll.until("ticking again", Duration.ofSeconds(30), () -> ok("logs", "ticker").out().lines().count() > frozenAt);
    assertFalse(state("ticker").get("Paused").asBoolean());
    Cli.Result notPaused = dcont("unpause", "ticker");
    assertEquals(1, notPaused.code(), notPaused.toString());

    // stopped while paused: its TERM trap runs once it is thawed, well before the kill after the grace period
    ok("pause", "ticker");
    ok("stop", "-t", "30", "ticker");
    assertEquals(3, state("ticker").get("ExitCode").asInt(), "ended by its own trap, not by SIGKILL");
    ok("start", "ticker");
    ok("pause", "ticker");
    ok("rm", "-f", "ticker");
    Cli.Result stopped = dcont("pause", "ticker");
    assertEquals(1, stopped.code(), stopped.toString());
    assertNothingLeft();
  }

  @Test
  void aContainerCreatedWithRmIsRemovedWhenItsAttachedStartEnds() throws Exception {
    String id = ok("create", "--rm", busybox, "sh", "-c", "exit 7").out().strip();
    Cli.Result r = dcont("start", "-a", id);
    assertEquals(7, r.code(), r.toString());
    assertNothingLeft();
  }

  @Test
  void restartStopsAndStartsAgainAndStartsAStoppedOne() throws Exception {
    ok("run", "-d", "--name", "svc", busybox, "sleep", "300");
    int before = state("svc").get("Pid").asInt();
    assertTrue(before > 0);
    Cli.Result r = ok("restart", "-t", "1", "svc");
    assertEquals("svc\n", r.out());
    JsonDoc st = state("svc");
    assertTrue(st.get("Running").asBoolean(), st.toString());
    assertNotEquals(before, st.get("Pid").asInt(), "a new process: " + st);

    ok("stop", "-t", "1", "svc");
    assertFalse(state("svc").get("Running").asBoolean());
    ok("restart", "svc");
    assertTrue(state("svc").get("Running").asBoolean(), "a stopped container is started");

    Cli.Result missing = dcont("restart", "svc", "nosuch");
    assertEquals(1, missing.code(), missing.toString());
    assertTrue(missing.out().contains("svc\n") && missing.out().contains("No such container: nosuch"),
        "each done, one line for the one that failed: " + missing);
    ok("rm", "-f", "svc");
    assertNothingLeft();
  }

  @Test
  void aContainerRunWithRmRestartsAndIsRemovedWhenItEndsAfterwards() throws Exception {
    String id = ok("run", "-d", "--rm", "--name", "rm-svc", busybox, "sleep", "300").out().strip();
    int before = state("rm-svc").get("Pid").asInt();
    assertEquals("rm-svc\n", ok("restart", "-t", "1", "rm-svc").out());
    // the first run's monitor started its clean-up when that run ended: it has had its say once it is gone
    Poll.until("the first run's clean-up ends", Duration.ofSeconds(60), () -> !cleanupRunning(id));
    JsonDoc st = state("rm-svc");
    assertTrue(st.get("Running").asBoolean(), "kept and running after the first run's clean-up: " + st);
    assertNotEquals(before, st.get("Pid").asInt(), "a new process: " + st);
    assertTrue(JsonDoc.parse(ok("inspect", "rm-svc").out()).get(0).get("HostConfig").get("AutoRemove")
        .asBoolean(), "still a --rm container");

    // the second run's monitor removes it when it ends (ps is not asked: it would remove it itself)
    ok("kill", "rm-svc");
    Path dir = root.resolve("containers").resolve(id);
    Poll.until("the container is removed after its second run", Duration.ofSeconds(60),
        () -> !Files.exists(dir) && !cleanupRunning(id));
    assertNothingLeft();
  }

  /**
   * Whether the kernel reports the cgroup of process {@code pid} frozen: cgroup v1's {@code freezer.state}, or
   * v2's {@code cgroup.events} where there is no v1 freezer.
   */
  private static boolean frozen(int pid) throws IOException {
    String v2 = null;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
      String[] f = line.split(":", 3);
      if (f[1].equals("freezer")) {
        return Files.readString(Path.of("/sys/fs/cgroup/freezer" + f[2], "freezer.state")).strip().equals("FROZEN");
      }
      if (f[0].equals("0")) {
        v2 = f[2];
      }
    }
    for (String mount : Files.readAllLines(Path.of("/proc/self/mounts"))) {
      String[] m = mount.split(" ");
      if (v2 != null && m[2].equals("cgroup2")) {
        return Files.readString(Path.of(m[1] + v2, "cgroup.events")).contains("frozen 1");
      }
    }
    return false;
  }

  /** Whether a {@code dcont rm --if-ended ID} (a monitor's clean-up) runs now. */
  private static boolean cleanupRunning(String id) throws IOException {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
        try {
          String cmd = Files.readString(p.resolve("cmdline"));
          if (cmd.contains("--if-ended") && cmd.contains(id)) {
            return true;
          }
        } catch (IOException gone) {
          // ended meanwhile
        }
      }
    }
    return false;
  }

  @Test
  void whatStartAndRestartCannotDoIsOneLineAndChangesNothing() throws Exception {
    ok("create", "--name", "one", busybox, "true");
    ok("create", "--name", "two", busybox, "true");
    Cli.Result both = dcont("start", "-a", "one", "two");
    assertEquals(1, both.code(), both.toString());
    assertEquals(1, both.out().lines().count(), both.toString());
    assertTrue(both.out().contains("cannot start and attach multiple containers"), both.toString());
    assertEquals("created", state("one").get("Status").asText(), "not started");

    ok("run", "-d", "--rm", "--name", "gone-when-stopped", busybox, "sleep", "300");
    Cli.Result running = dcont("start", "-i", "gone-when-stopped");
    assertEquals(1, running.code(), running.toString());
    assertTrue(running.out().contains("has no standard input"), running.toString());

    Cli.Result badName = dcont("create", "--name", "bad/name", busybox, "true");
    assertEquals(125, badName.code(), badName.toString());
    assertEquals(1, badName.out().lines().count(), badName.toString());
    Cli.Result noImage = dcont("create", "--pull", "never", "nosuch/image:1", "true");
    assertEquals(125, noImage.code(), noImage.toString());
    assertTrue(noImage.out().contains("No such image"), noImage.toString());
    ok("rm", "-f", "one", "two", "gone-when-stopped");
    assertNothingLeft();
  }
}
