package dev.dcont.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.HostCommand;
import dev.dcont.testkit.Root;
import dev.dcont.testkit.TestCgroupParent;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * podman (as Debian ships it) driving an OCI runtime through conmon, as users run it: {@code run --rm}, a detached
 * container with {@code exec}, {@code stop} and {@code rm}, and {@code run -it} on a terminal. podman keeps
 * everything under the class's directory (its store, run root, tmp dir and event log), puts the containers under a
 * cgroup parent of the class's own, and has no network and no registry: its image comes from an OCI layout. The
 * runtime, as podman uses it, keeps its state in its default root, where the tests check that it keeps none of
 * theirs. Each test prints what the container printed and the runtime commands podman ran.
 */
class PodmanClientTest {
  private static final String IMAGE = "localhost/dcont-clients/busybox:1";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /**
   * podman lowers its own RLIMIT_NPROC (soft and hard) to this at start, and conmon and the runtime inherit it: a
   * container's may not be higher.
   */
  private static final long PODMAN_NPROC = 32768;

  @TempDir
  static Path tmp;
  private static Path dir;
  private static Path podman;
  private static TestCgroupParent cgroups;

  @BeforeAll
  static void store() throws Exception {
    Root.require("podman runs containers as root here: namespaces, overlayfs, cgroups");
    podman = Host.require("podman", "podman");
    Host.require("conmon", "conmon");
    dir = tmp.toRealPath();
    cgroups = TestCgroupParent.create("PodmanClientTest");
    Path layout = BusyboxLayout.create(dir.resolve("layout"));
    String id = podman(null, "pull", "-q", "oci:" + layout + ":" + BusyboxLayout.TAG).ok().out().strip();
    podman(null, "tag", id, IMAGE).ok();
  }

  @AfterAll
  static void nothingLeft() throws Exception {
    if (dir == null) {
      return;
    }
    List<String> problems = new ArrayList<>();
    try {
      String left = podman(null, "ps", "-a", "-q").out().strip();
      if (!left.isEmpty()) {
        problems.add("containers left: " + left);
        podman(null, "rm", "-f", "--all");
      }
      podman(null, "rmi", "-a", "-f");
    } finally {
      Host.unmountAndClose(dir, cgroups, problems);
    }
    assertEquals(List.of(), problems);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.dcont.clients.Runtime#all")
  void runRmPrintsWhatTheContainerPrinted(Runtime runtime) throws Exception {
    Runtime.Wrapped w = runtime.wrap(dir, "run-rm");
    HostCommand.Result r = podman(w, run("--rm", IMAGE, "echo", "hi"));
    w.report("podman", "run --rm", r.out());
    assertEquals(0, r.code(), r.toString() + calls(w));
    assertEquals("hi\n", r.out(), r.toString());
    assertNothingLeft(runtime, w);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.dcont.clients.Runtime#all")
  void detachedContainerTakesExecAndStopsAndGoes(Runtime runtime) throws Exception {
    Runtime.Wrapped w = runtime.wrap(dir, "run-d");
    String id = podman(w, run("-d", IMAGE, "sleep", "100")).ok().out().strip();
    try {
      HostCommand.Result exec = podman(w, "exec", id, "echo", "in");
      w.report("podman", "exec", exec.out());
      assertEquals(0, exec.code(), exec.toString() + calls(w));
      assertEquals("in\n", exec.out());
      HostCommand.Result stop = podman(w, "stop", "-t", "1", id);
      assertEquals(0, stop.code(), stop.toString() + calls(w));
      assertEquals("exited", podman(w, "inspect", "-f", "{{.State.Status}}", id).ok().out().strip());
      podman(w, "rm", id).ok();
      id = null;
      System.out.println("[" + runtime + "] runtime calls for run -d, exec, stop -t 1, rm:\n" + w.calls());
    } finally {
      if (id != null) {
        podman(w, "rm", "-f", id);
      }
    }
    assertNothingLeft(runtime, w);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.dcont.clients.Runtime#all")
  void interactiveContainerOnATerminal(Runtime runtime) throws Exception {
    Runtime.Wrapped w = runtime.wrap(dir, "run-it");
    try (Terminal t = Terminal.start(podmanCommand(w, run("-it", "--rm", IMAGE, "sh")))) {
      t.await("# ", TIMEOUT);
      // the shell's answer (computed, so not the echo of what was typed) only if its stdin and stdout are a terminal
      t.type("[ -t 0 ] && [ -t 1 ] && echo on-a-terminal-$((6*7))\n");
      t.await("on-a-terminal-42", TIMEOUT);
      t.type("exit\n");
      int code = t.waitFor(TIMEOUT);
      w.report("podman", "run -it", t.text());
      assertEquals(0, code, Terminal.visible(t.text()) + calls(w));
      // what was typed came back: the container's terminal echoes its input
      assertTrue(t.text().contains("echo on-a-terminal-$((6*7))"), Terminal.visible(t.text()));
    }
    assertNothingLeft(runtime, w);
  }

  /**
   * No container of podman's, no mount under the class's directory; of the containers the test made, no cgroup
   * (libpod-ID under the parent, beside podman's own group for the conmon processes) and none that the runtime
   * lists.
   */
  private static void assertNothingLeft(Runtime runtime, Runtime.Wrapped w) throws Exception {
    List<String> listed = w.removeListed(dir); // first, so that a failed test leaves no runtime state
    String containers = podman(null, "ps", "-a", "-q").ok().out().strip();
    if (!containers.isEmpty()) {
      podman(null, "rm", "-f", "--all"); // the next test starts clean
    }
    assertEquals("", containers, "podman containers left");
    w.assertNoContainerLeft(dir, cgroups, w.created().stream().map(id -> "libpod-" + id).toList(), listed, calls(w));
  }

  private static String calls(Runtime.Wrapped w) throws IOException {
    return "\n--- runtime calls\n" + w.calls();
  }

  /** {@code podman run} with the class's confinement and the given options, image and command. */
  private static String[] run(String... rest) throws IOException {
    List<String> a = new ArrayList<>(List.of("run", "--pull", "never", "--network", "none",
        "--cgroup-parent", "/" + cgroups.name(),
        "--ulimit", "nofile=" + Host.limit("Max open files", Long.MAX_VALUE),
        "--ulimit", "nproc=" + Host.limit("Max processes", PODMAN_NPROC)));
    a.addAll(List.of(rest));
    return a.toArray(String[]::new);
  }

  /**
   * podman with everything of its own under the class's directory; with {@code w}, that runtime. The runtime keeps
   * its state in its default root: podman passes {@code --runtime-flag}s to the runtime commands it and conmon run,
   * but not to those of the clean-up after a container's exit (conmon's exit command, {@code podman container
   * cleanup}), which then would not find the container.
   */
  private static List<String> podmanCommand(Runtime.Wrapped w, String... args) {
    List<String> cmd = new ArrayList<>(List.of(podman.toString(),
        "--root", dir.resolve("storage").toString(), "--runroot", dir.resolve("run").toString(),
        "--tmpdir", dir.resolve("libpod-tmp").toString(), "--storage-driver", "overlay",
        // else the overlay driver may leave its directory bind-mounted onto itself (a private mount) behind it
        "--storage-opt", "overlay.skip_mount_home=true",
        "--cgroup-manager", "cgroupfs", "--events-backend", "file"));
    if (w != null) {
      cmd.addAll(List.of("--runtime", w.script().toString()));
    }
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static HostCommand.Result podman(Runtime.Wrapped w, String... args) throws IOException, InterruptedException {
    return HostCommand.run(dir, TIMEOUT, podmanCommand(w, args));
  }
}
