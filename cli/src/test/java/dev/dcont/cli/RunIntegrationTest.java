package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.HostDebianRoot;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.Poll;
import dev.dcont.testkit.TarBuilder;
import dev.dcont.testkit.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** dcont run and the container lifecycle, end to end: loopback registry, overlay roots, namespaces, host.cgroups. */
class RunIntegrationTest extends ContainerTestBase {
  static String busybox;
  static String configured;

  @BeforeAll
  static void setUp() throws Exception {
    host = ContainerHost.start("run");
    busybox = host.pushAndPull(root, "t/busybox", TestImage.builder()
        .layer(Busybox.rootfs().build(), Layer.Compression.GZIP).config("Cmd", List.of("sh")).build());
    configured = host.pushAndPull(root, "t/configured", TestImage.builder()
        .layer(Busybox.rootfs()
            .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n")
            .file("etc/group", "root:x:0:\napp:x:1000:\nextra:x:2000:app\n").build(), Layer.Compression.GZIP)
        .config("Entrypoint", List.of("/bin/sh", "-c"))
        .config("Cmd", List.of("echo default-cmd; id; pwd; echo A=$A; echo HOME=$HOME"))
        .config("Env", List.of("A=from-image", "PATH=/bin"))
        .config("WorkingDir", "/data/work")
        .config("User", "app").build());
  }

  /** dcont in its own process; a {@code run} gets the class's cgroup parent. */
  Cli.Result dcont(String... args) throws IOException, InterruptedException {
    return Cli.runProcess(root, work, withParent(args));
  }

  static String[] withParent(String... args) {
    return host.inParent(args);
  }

  private static List<String> lines(String s) {
    return s.lines().toList();
  }

  private void assertNothingLeft() throws IOException {
    Cli.Result ps = Cli.run(root, "ps", "-a", "-q");
    assertEquals("", ps.out(), "no container left");
    Path containers = root.resolve("containers");
    if (Files.isDirectory(containers)) {
      try (Stream<Path> s = Files.list(containers)) {
        assertEquals(List.of(), s.toList(), "no container directory left");
      }
    }
    String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
    assertFalse(mounts.contains(root.toString()), "no mount left under the store");
    List<Path> left = host.cgroups.children();
    String procs = left.isEmpty() ? "" : Files.readString(left.get(0).resolve("cgroup.procs"));
    assertEquals(List.of(), left, "no cgroup left under the class's parent (procs: " + procs + ")");
  }

  @Test
  void runRmEchoPrintsHiAndLeavesNothing() throws Exception {
    Cli.Result r = dcont("run", "--rm", busybox, "echo", "hi");
    assertEquals(0, r.code(), r.toString());
    assertTrue(lines(r.out()).contains("hi"), r.out());
    assertNothingLeft();
  }

  @Test
  void imageConfigEntrypointCmdEnvWorkdirAndUserApply() throws Exception {
    Cli.Result r = dcont("run", "--rm", configured);
    assertEquals(0, r.code(), r.toString());
    List<String> l = lines(r.out());
    assertTrue(l.contains("default-cmd"), r.out());
    assertTrue(l.stream().anyMatch(x -> x.equals("uid=1000(app) gid=1000(app) groups=2000(extra)")),
        r.out());
    assertTrue(l.contains("/data/work"), "the missing WorkingDir is created: " + r.out());
    assertTrue(l.contains("A=from-image"), r.out());
    assertTrue(l.contains("HOME=/home/app"), r.out());

    Cli.Result args = dcont("run", "--rm", configured, "echo replaced-cmd");
    assertTrue(lines(args.out()).contains("replaced-cmd") && !args.out().contains("default-cmd"), args.out());

    Cli.Result ep = dcont("run", "--rm", "--entrypoint", "/bin/echo", configured, "from", "entrypoint");
    assertEquals(0, ep.code(), ep.toString());
    assertTrue(lines(ep.out()).contains("from entrypoint"), ep.out());
    assertNothingLeft();
  }

  @Test
  void flagsOverrideTheImage() throws Exception {
    Path host = Files.createDirectories(work.resolve("shared"));
    Files.writeString(host.resolve("in.txt"), "from the host");
    Path envFile = work.resolve("env");
    Files.writeString(envFile, "FROM_FILE=yes\n");
    Cli.Result r = dcont("run", "--rm", "-e", "A=from-flag", "--env-file", envFile.toString(), "-w", "/tmp",
        "-u", "0:0", "-v", host + ":/mnt/host", "--hostname", "box1", configured,
        "echo A=$A; echo FROM_FILE=$FROM_FILE; pwd; id -u; cat /mnt/host/in.txt; echo; hostname; "
            + "echo written > /mnt/host/out.txt");
    assertEquals(0, r.code(), r.toString());
    List<String> l = lines(r.out());
    assertTrue(l.contains("A=from-flag") && l.contains("FROM_FILE=yes") && l.contains("/tmp") && l.contains("0")
        && l.contains("from the host") && l.contains("box1"), r.out());
    assertEquals("written\n", Files.readString(host.resolve("out.txt")), "-v is writable");

    Cli.Result ro = dcont("run", "--rm", "-v", host + ":/mnt/host:ro", busybox, "sh", "-c",
        "echo x > /mnt/host/no.txt");
    assertTrue(ro.code() != 0, "a :ro bind refuses writes: " + ro);
    assertFalse(Files.exists(host.resolve("no.txt")));

    Cli.Result readOnly = dcont("run", "--rm", "--read-only", "--tmpfs", "/scratch", busybox, "sh", "-c",
        "touch /scratch/ok && echo tmpfs-ok; touch /etc/nope || echo rootfs-refused");
    assertTrue(lines(readOnly.out()).contains("tmpfs-ok") && lines(readOnly.out()).contains("rootfs-refused"),
        readOnly.toString());
    assertNothingLeft();
  }

  @Test
  void exitCodesAsDocker() throws Exception {
    assertEquals(3, dcont("run", "--rm", busybox, "sh", "-c", "exit 3").code());
    Cli.Result notFound = dcont("run", "--rm", busybox, "no-such-command");
    assertEquals(127, notFound.code(), notFound.toString());
    Cli.Result notExec = dcont("run", "--rm", busybox, "/etc/passwd");
    assertEquals(126, notExec.code(), notExec.toString());
    Cli.Result noImage = dcont("run", "--rm", "--pull", "never", host.registry.host() + "/t/absent:1", "true");
    assertEquals(125, noImage.code(), noImage.toString());
    Cli.Result badFlag = dcont("run", "--rm", "--memory", "lots", busybox, "true");
    assertEquals(125, badFlag.code(), badFlag.toString());
    assertTrue(badFlag.out().contains("--memory"), badFlag.out());
    assertNothingLeft();
  }

  @Test
  void sigtermToRunStopsTheContainerWith143() throws Exception {
    Path log = work.resolve("term.log");
    // the loop keeps the container running until the signal: it is the container's work, not a wait of the test
    Process p = Cli.start(root, log, withParent("run", "--rm", busybox, "sh", "-c",
        "trap 'exit 143' TERM; echo ready; while true; do sleep 0.1; done"));
    Poll.until("the container's 'ready' in " + log, Duration.ofSeconds(30),
        () -> Files.readString(log).contains("ready"));
    new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    assertEquals(143, p.exitValue(), Files.readString(log));
    assertNothingLeft();
  }

  @Test
  void memoryLimitOomKillGives137() throws Exception {
    Cli.Result r = dcont("run", "--rm", "--memory", "16m", busybox, "sh", "-c", "tail /dev/zero");
    assertEquals(137, r.code(), r.toString());
    assertNothingLeft();
  }

  @Test
  void detachedContainerLogsPsExecStopRm() throws Exception {
    // the container ticks until it is stopped: its work, not a wait of the test
    Cli.Result started = dcont("run", "-d", "--name", "ticker", busybox, "sh", "-c",
        "echo started; while true; do echo tick; sleep 0.1; done");
    assertEquals(0, started.code(), started.toString());
    String id = lastLine(started.out());
    assertTrue(id.matches("[a-f0-9]{64}"), started.out());
    Poll.until("a tick in the log of " + id, Duration.ofSeconds(20),
        () -> Cli.run(root, "logs", "ticker").out().contains("tick"));

    Cli.Result ps = Cli.run(root, "ps", "--format", "json");
    JsonDoc row = JsonDoc.parse(ps.out()).get(0);
    assertEquals(id, row.get("Id").asText());
    assertEquals("ticker", row.get("Names").asText());
    assertEquals("running", row.get("State").asText());
    assertTrue(Cli.run(root, "ps").out().contains(id.substring(0, 12)));

    JsonDoc inspected = JsonDoc.parse(Cli.run(root, "inspect", "ticker").out()).get(0);
    assertEquals(id, inspected.get("Id").asText());
    assertEquals("/ticker", inspected.get("Name").asText());
    assertTrue(inspected.get("State").get("Running").asBoolean());
    assertTrue(inspected.get("State").get("Pid").asInt() > 0);

    Cli.Result logs = Cli.run(root, "logs", "ticker");
    assertTrue(logs.out().startsWith("started\ntick\n"), logs.out());

    Cli.Result exec = dcont("exec", id.substring(0, 6), "sh", "-c", "echo in-container; cat /proc/1/cmdline");
    assertEquals(0, exec.code(), exec.toString());
    assertTrue(exec.out().contains("in-container") && exec.out().contains("echo started"), exec.out());
    assertEquals(7, dcont("exec", "ticker", "sh", "-c", "exit 7").code());

    Cli.Result stop = Cli.run(root, "stop", "-t", "1", "ticker");
    assertEquals(0, stop.code(), stop.toString());
    JsonDoc after = JsonDoc.parse(Cli.run(root, "ps", "-a", "--format", "json").out()).get(0);
    assertEquals("exited", after.get("State").asText());
    assertEquals(137, after.get("ExitCode").asInt(), "sh as pid 1 ignores TERM, so stop killed it");
    assertEquals("", Cli.run(root, "ps", "-q").out(), "not running any more");

    Cli.Result rm = Cli.run(root, "rm", "ticker");
    assertEquals(0, rm.code(), rm.toString());
    assertNothingLeft();
  }

  @Test
  void detachedWithRmIsRemovedWhenItEnds() throws Exception {
    // the container outlives the start that detached it, so that its monitor, not the start, removes it
    Cli.Result started = dcont("run", "-d", "--rm", "--name", "short-lived", busybox, "sh", "-c", "sleep 0.5");
    assertEquals(0, started.code(), started.toString());
    String id = lastLine(started.out());
    // nothing lists containers meanwhile (listing would also remove it): only the monitor's clean-up can
    Poll.until("the monitor's removal of " + id, Duration.ofSeconds(20),
        () -> !Files.exists(root.resolve("containers").resolve(id)));
    assertNothingLeft();
  }

  @Test
  void resourceCapabilityAndNetworkFlagsReachTheContainer() throws Exception {
    boolean v2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
    String limits = v2
        ? "cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max /sys/fs/cgroup/memory.max"
        : "cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us "
            + "/sys/fs/cgroup/memory/memory.limit_in_bytes";
    Cli.Result r = dcont("run", "--rm", "--pids-limit", "42", "--cpus", "0.5", "--memory", "64m", busybox,
        "sh", "-c", limits);
    assertEquals(0, r.code(), r.toString());
    List<String> l = lines(r.out());
    assertTrue(l.contains("42"), r.out());
    assertTrue(l.contains(v2 ? "50000 100000" : "50000"), r.out());
    assertTrue(l.contains(Long.toString(64L << 20)), r.out());

    Cli.Result none = dcont("run", "--rm", "--cap-drop", "ALL", busybox, "grep", "CapEff", "/proc/self/status");
    assertTrue(none.out().contains("0000000000000000"), none.out());
    Cli.Result add = dcont("run", "--rm", "--cap-drop", "ALL", "--cap-add", "NET_ADMIN", busybox,
        "grep", "CapEff", "/proc/self/status");
    assertTrue(add.out().contains("0000000000001000"), "only CAP_NET_ADMIN (bit 12): " + add.out());
    Cli.Result defaults = dcont("run", "--rm", busybox, "grep", "CapEff", "/proc/self/status");
    assertTrue(defaults.out().contains("00000000a80425fb"), "Docker's 14 by default: " + defaults.out());

    Cli.Result isolated = dcont("run", "--rm", busybox, "ls", "/sys/class/net");
    assertEquals(List.of("lo"), lines(isolated.out()).stream().filter(x -> !x.isBlank()).toList(), isolated.out());
    List<String> hostIfaces;
    try (Stream<Path> s = Files.list(Path.of("/sys/class/net"))) {
      hostIfaces = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    Cli.Result host = dcont("run", "--rm", "--network", "host", busybox, "ls", "/sys/class/net");
    assertEquals(hostIfaces, lines(host.out()).stream().filter(x -> !x.isBlank()).sorted().toList(), host.out());
    assertNothingLeft();
  }

  @Test
  void killSignalsLogsFollowAndAContainerWhoseMonitorDied() throws Exception {
    // the loop keeps the container running until TERM: its work, not a wait of the test
    String id = lastLine(dcont("run", "-d", busybox, "sh", "-c",
        "trap 'echo got-usr1' USR1; trap 'echo bye; exit 0' TERM; echo up; while true; do sleep 0.1; done").out());
    Poll.until("'up' in the log of " + id, Duration.ofSeconds(20),
        () -> Cli.run(root, "logs", id).out().contains("up"));
    assertEquals(0, Cli.run(root, "kill", "-s", "USR1", id).code());
    Path follow = work.resolve("follow.log");
    Process f = Cli.start(root, follow, "logs", "-f", id);
    Poll.until("got-usr1 in " + follow, Duration.ofSeconds(20), () -> Files.readString(follow).contains("got-usr1"));
    assertTrue(f.isAlive(), "logs -f follows while the container runs");
    assertEquals(0, Cli.run(root, "kill", "-s", "TERM", id).code());
    assertTrue(f.waitFor(20, TimeUnit.SECONDS), "logs -f ends with the container");
    assertTrue(Files.readString(follow).contains("bye"), Files.readString(follow));
    assertEquals(0, JsonDoc.parse(Cli.run(root, "ps", "-a", "--format", "json").out()).get(0)
        .get("ExitCode").asInt());
    assertEquals(0, Cli.run(root, "rm", id).code());

    // sleep keeps the container running while its monitor is killed
    String victim = lastLine(dcont("run", "-d", busybox, "sleep", "300").out());
    long sleeper = JsonDoc.parse(Cli.run(root, "inspect", victim).out()).get(0).get("State").get("Pid").asLong();
    assertTrue(sleeper > 0, "inspect gives the running container's pid");
    int monitor = Integer.parseInt(Files.readString(root.resolve("runtime").resolve(victim).resolve("monitor.pid"))
        .strip());
    new ProcessBuilder("kill", "-9", Integer.toString(monitor)).start().waitFor();
    Poll.until("the monitor " + monitor + " to be gone", Duration.ofSeconds(20),
        () -> ProcessHandle.of(monitor).map(h -> !h.isAlive()).orElse(true));
    JsonDoc row = JsonDoc.parse(Cli.run(root, "ps", "-a", "--format", "json").out()).get(0);
    assertEquals("exited", row.get("State").asText(), "a container whose monitor died shows as exited");
    assertEquals(0, Cli.run(root, "rm", victim).code());
    assertNothingLeft();
    // its own process, not any "sleep 300" on the machine (other containers may run such); SIGKILL'd by rm, it is
    // gone (or a zombie, whose command line is empty) once the kernel has torn it down
    Poll.until("its process " + sleeper + " to be gone too", Duration.ofSeconds(10), () -> ProcessHandle.of(sleeper)
        .map(p -> !p.isAlive() || !p.info().commandLine().orElse("").contains("sleep")).orElse(true));
  }

  /** Waits until the container has exited (as ps -a says). */
  private void awaitExit(String id) throws Exception {
    Poll.until("container " + id + " to exit", Duration.ofSeconds(20), () -> {
      JsonDoc rows = JsonDoc.parse(Cli.run(root, "ps", "-a", "--format", "json").out());
      for (JsonDoc row : rows) {
        if (row.get("Id").asText().equals(id) && row.get("State").asText().equals("exited")) {
          return true;
        }
      }
      return false;
    });
  }

  @Test
  void logsKeepStdoutAndStderrApartInOrderWithTailAndTimestamps() throws Exception {
    // the streams are written a moment apart, so that the order between them is the order of writing: the pauses are
    // the container's behaviour under test, and the test itself waits on the container's exit
    String id = lastLine(dcont("run", "-d", busybox, "sh", "-c",
        "echo out1; sleep 0.4; echo err1 >&2; sleep 0.4; echo out2; sleep 0.4; echo err2 >&2; sleep 0.4;"
            + " printf '\\303\\251t\\303'; sleep 0.4; printf '\\251 '; sleep 0.4; printf 'fin'").out());
    awaitExit(id);
    Cli.Result all = Cli.run(root, "logs", id);
    assertEquals(0, all.code(), all.toString());
    assertEquals("out1\nout2\nété fin", all.out(), "stdout only, a character split across writes kept whole");
    assertEquals("err1\nerr2\n", all.err(), "stderr only");

    // the last lines of both streams together: err2 was written after out2
    Cli.Result tail = Cli.run(root, "logs", "--tail", "2", id);
    assertEquals("été fin", tail.out(), tail.toString());
    assertEquals("err2\n", tail.err(), tail.toString());
    Cli.Result none = Cli.run(root, "logs", "-n", "0", id);
    assertEquals("", none.out() + none.err(), none.toString());
    assertEquals(1, Cli.run(root, "logs", "--tail", "many", id).code(), "a tail that is no number is a usage error");

    Cli.Result stamped = Cli.run(root, "logs", "-t", id);
    List<String> outLines = lines(stamped.out());
    assertEquals(3, outLines.size(), stamped.out());
    java.time.Instant before = java.time.Instant.now().minusSeconds(120);
    java.time.Instant previous = java.time.Instant.EPOCH;
    for (String l : outLines) {
      String[] parts = l.split(" ", 2);
      java.time.Instant at = java.time.Instant.parse(parts[0]);
      assertTrue(at.isAfter(before) && !at.isBefore(previous), l);
      previous = at;
    }
    assertEquals(List.of("out1", "out2", "été fin"), outLines.stream().map(l -> l.split(" ", 2)[1]).toList());
    assertTrue(lines(stamped.err()).get(1).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z err2"), stamped.err());
    assertEquals(0, Cli.run(root, "rm", id).code());
  }

  @Test
  void detachedWithATerminalKeepsItsShellAndLogsWhatTheTerminalShows() throws Exception {
    // docker run -dit IMAGE sh: nobody types, and the shell waits for input instead of seeing its end
    Cli.Result kept = dcont("run", "-dit", "--name", "keep", busybox, "sh");
    assertEquals(0, kept.code(), kept.toString());
    String id = lastLine(kept.out());
    // the prompt is written when the shell reads its input: a shell that met the end of its input exits right after
    Poll.until("the shell's prompt in the log of " + id, Duration.ofSeconds(20),
        () -> Cli.run(root, "logs", id).out().contains("# "));
    JsonDoc row = JsonDoc.parse(Cli.run(root, "ps", "--format", "json").out()).get(0);
    assertEquals(id, row.get("Id").asText());
    assertEquals("running", row.get("State").asText());
    Cli.Result tty = dcont("exec", "keep", "sh", "-c", "readlink /proc/1/fd/0");
    assertTrue(tty.out().startsWith("/dev/pts/"), "its stdin is a terminal: " + tty.out());
    assertEquals(0, Cli.run(root, "rm", "-f", "keep").code());

    // what a detached terminal shows is its stdout, with the terminal's line ends, as docker logs shows it
    String shown = lastLine(dcont("run", "-d", "-t", busybox, "sh", "-c", "echo to-out; echo to-err >&2").out());
    awaitExit(shown);
    Cli.Result logs = Cli.run(root, "logs", shown);
    assertEquals("to-out\r\nto-err\r\n", logs.out(), logs.toString());
    assertEquals("", logs.err());
    assertEquals(0, Cli.run(root, "rm", shown).code());
    assertNothingLeft();
  }

  @Test
  void rmRefusesARunningContainerUnlessForced() throws Exception {
    // sleep keeps the container running while rm is refused
    Cli.Result started = dcont("run", "-d", busybox, "sleep", "60");
    String id = lastLine(started.out());
    Cli.Result rm = Cli.run(root, "rm", id);
    assertEquals(1, rm.code());
    assertTrue(rm.err().contains("running"), rm.err());
    assertEquals(0, Cli.run(root, "rm", "-f", id).code());
    assertNothingLeft();
  }

  @Test
  void interactiveTerminalThroughScript() throws Exception {
    Path log = work.resolve("pty.log");
    String cmd = String.join(" ", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", "'" + System.getProperty("java.class.path") + "'", Main.class.getName(), "--root", root.toString(),
        "run", "--network", "none", "--cgroup-parent", host.cgroups.name(), "--rm", "-it", busybox, "sh", "-c", "'tty; stty size; exit 5'"));
    Process p = new ProcessBuilder("script", "-qfec", "stty rows 33 cols 101; " + cmd, "/dev/null")
        .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String out = Files.readString(log);
    assertTrue(out.contains("/dev/pts/0"), "the container has its own terminal: " + out);
    assertTrue(out.contains("33 101"), "its size follows the caller's: " + out);
    assertEquals(5, p.exitValue(), out);
    assertNothingLeft();
  }

  @Test
  void terminalSizeFollowsTheCallersWindowThroughTmux() throws Exception {
    String session = "dcont-test-" + ProcessHandle.current().pid();
    String cmd = String.join(" ", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", "'" + System.getProperty("java.class.path") + "'", Main.class.getName(), "--root", root.toString(),
        "run", "--network", "none", "--cgroup-parent", host.cgroups.name(), "--rm", "-it", busybox, "sh"));
    run("tmux", "new-session", "-d", "-s", session, "-x", "90", "-y", "30", cmd);
    try {
      waitForPane(session, "#", 30);
      run("tmux", "send-keys", "-t", session, "stty size", "Enter");
      waitForPane(session, "30 90", 10);
      run("tmux", "resize-window", "-t", session, "-x", "120", "-y", "40");
      // the new size reaches the container's terminal through the monitor a moment after the resize: ask until it
      // shows, and each time only once the previous answer is on the pane
      Poll.until("the container's terminal to be 40x120", Duration.ofSeconds(20), () -> {
        // the typed line shows as''ked, the answer asked
        run("tmux", "send-keys", "-t", session, "clear; stty size; echo as''ked", "Enter");
        waitForPane(session, "asked", 10);
        return pane(session).contains("40 120");
      });
      run("tmux", "send-keys", "-t", session, "exit 4", "Enter");
      Poll.until("the tmux session to end with the container", Duration.ofSeconds(20),
          () -> run("tmux", "has-session", "-t", session) != 0);
    } finally {
      run("tmux", "kill-session", "-t", session);
    }
    assertNothingLeft();
  }

  private static int run(String... cmd) throws IOException, InterruptedException {
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start().waitFor();
  }

  private static String pane(String session) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("tmux", "capture-pane", "-p", "-t", session).redirectErrorStream(true).start();
    String pane = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    return pane;
  }

  private static void waitForPane(String session, String text, int seconds) throws Exception {
    if (!Poll.holdsWithin(Duration.ofSeconds(seconds), () -> pane(session).contains(text))) {
      throw new AssertionError("'" + text + "' did not appear; pane:\n" + pane(session));
    }
  }

  @Test
  void execWithATerminalThroughScript() throws Exception {
    // sleep keeps the container running for the exec
    String id = lastLine(dcont("run", "-d", busybox, "sleep", "300").out());
    Path log = work.resolve("exec-pty.log");
    String cmd = String.join(" ", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", "'" + System.getProperty("java.class.path") + "'", Main.class.getName(), "--root", root.toString(),
        "exec", "-it", id, "sh", "-c", "'tty; exit 6'"));
    Process p = new ProcessBuilder("script", "-qfec", cmd, "/dev/null")
        .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String out = Files.readString(log);
    assertTrue(out.contains("/dev/pts/"), "exec -t gets a terminal of the container: " + out);
    assertEquals(6, p.exitValue(), out);
    assertEquals(0, Cli.run(root, "rm", "-f", id).code());
    assertNothingLeft();
  }

  @Test
  void imageOf130LayersRuns() throws Exception {
    TestImage.Builder b = TestImage.builder().layer(Busybox.rootfs().build(), Layer.Compression.GZIP);
    for (int i = 1; i < 130; i++) {
      b.layer(new TarBuilder().file("layers/" + i, Integer.toString(i)).build(), Layer.Compression.GZIP);
    }
    String deep = host.registry.push("t/deep", "1", b.build());
    Cli.Result r = dcont("run", "--rm", deep, "sh", "-c", "ls /layers | wc -l; cat /layers/129");
    assertEquals(0, r.code(), r.toString());
    List<String> l = lines(r.out()).stream().map(String::strip).toList();
    assertTrue(l.contains("129"), r.out());
    assertNothingLeft();
  }

  @Test
  void debianRootRunsBashWithItsOwnTools() throws Exception {
    String debian = host.registry.push("t/debian", "1", TestImage.builder()
        .layer(HostDebianRoot.rootfs().build(), Layer.Compression.GZIP).config("Cmd", List.of("/bin/bash")).build());
    Cli.Result r = dcont("run", "--rm", debian, "/bin/bash", "-c",
        "echo bash $BASH_VERSION; ls /usr/bin | head -3; cat /etc/debian_version; id -un");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("bash " + "5."), r.out());
    assertTrue(r.out().contains(Files.readString(Path.of("/etc/debian_version")).strip()), r.out());
    assertTrue(lines(r.out()).contains("root"), r.out());
    assertNothingLeft();
  }

  @Test
  void systemDfAndPruneIncludeContainers() throws Exception {
    Cli.Result started = dcont("run", "--name", "kept", busybox, "sh", "-c", "echo data > /file; true");
    assertEquals(0, started.code(), started.toString());
    Cli.Result df = Cli.run(root, "system", "df");
    assertTrue(df.out().lines().anyMatch(l -> l.startsWith("Containers") && l.contains(" 1 ")), df.out());
    Cli.Result prune = Cli.run(root, "system", "prune");
    assertEquals(0, prune.code(), prune.toString());
    assertEquals("", Cli.run(root, "ps", "-a", "-q").out(), "prune removes stopped containers: " + prune.out());
    assertNothingLeft();
  }

  @Test
  void initForwardsSigtermToTheCommandAndReapsIt() throws Exception {
    Path log = work.resolve("init.log");
    // sleep keeps the command running until the forwarded TERM ends it
    Process p = Cli.start(root, log, withParent("run", "--rm", "--init", busybox, "sh", "-c",
        "echo pid=$$; sleep 600 & wait"));
    Poll.until("pid= in " + log, Duration.ofSeconds(30), () -> Files.readString(log).contains("pid="));
    assertTrue(Files.readString(log).contains("pid=2"), "the command is not pid 1 under --init: "
        + Files.readString(log));
    new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "sh got the forwarded TERM (as pid 1 without --init it would not)");
    assertEquals(143, p.exitValue(), Files.readString(log));
    assertNothingLeft();
  }

  @Test
  void rmiRefusesAnImageAContainerUsesAndDeletesSnapshotsWhenFree() throws Exception {
    String img = host.registry.push("t/rmi", "1", TestImage.builder()
        .layer(Busybox.rootfs().file("marker", "rmi").build(), Layer.Compression.GZIP).build());
    assertEquals(0, dcont("run", "--name", "user-of-rmi", img, "true").code());
    Cli.Result refused = Cli.run(root, "rmi", img);
    assertEquals(1, refused.code(), refused.toString());
    assertTrue(refused.err().contains("user-of-rmi"), refused.err());
    assertEquals(0, Cli.run(root, "rm", "user-of-rmi").code());
    long before = snapshots();
    Cli.Result rmi = Cli.run(root, "rmi", img);
    assertEquals(0, rmi.code(), rmi.toString());
    assertEquals(before - 1, snapshots(), "its own layer snapshot is deleted: " + rmi.out());
    assertNothingLeft();
  }

  private static long snapshots() throws IOException {
    try (Stream<Path> s = Files.list(root.resolve("snapshots"))) {
      return s.filter(p -> p.getFileName().toString().matches("\\d+")).count();
    }
  }

  static String lastLine(String s) {
    List<String> l = s.strip().lines().toList();
    return l.isEmpty() ? "" : l.get(l.size() - 1).strip();
  }
}
