package dev.dcont.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dcont.testkit.HostCommand;
import dev.dcont.testkit.Poll;
import dev.dcont.testkit.Root;
import dev.dcont.testkit.TestCgroupParent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * containerd (as Debian ships it) driving an OCI runtime through its runc shim ({@code io.containerd.runc.v2},
 * {@code --runc-binary}), the way Kubernetes' nodes run containers, with ctr as the client. One private containerd
 * for the class: its own config, root, state and socket under the class's directory, the CRI plugin disabled; the
 * runtime's root and ctr's FIFOs there too, the containers under a cgroup parent of the class's own. Its busybox
 * image is imported from an OCI archive (umoci's layout, archived by skopeo); no registry is involved. Each test
 * prints what the container printed and the runtime commands the shim ran.
 */
class ContainerdClientTest {
  private static final String IMAGE = "localhost/dcont-clients/busybox:1";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  static Path tmp;
  private static Path dir;
  private static Path socket;
  private static Path ctr;
  private static Process containerd;
  private static TestCgroupParent cgroups;

  @BeforeAll
  static void startContainerd() throws Exception {
    Root.require("containerd runs containers as root here: namespaces, overlayfs, cgroups");
    Path binary = Host.require("containerd", "containerd");
    ctr = Host.require("ctr", "containerd");
    Host.require("containerd-shim-runc-v2", "containerd");
    Path skopeo = Host.require("skopeo", "skopeo");
    dir = tmp.toRealPath();
    socket = dir.resolve("containerd.sock");
    cgroups = TestCgroupParent.create("ContainerdClientTest");
    Path config = Files.writeString(dir.resolve("config.toml"), String.join("\n",
        "version = 2",
        "root = \"" + dir.resolve("root") + "\"",
        "state = \"" + dir.resolve("state") + "\"",
        "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]",
        "[grpc]",
        "  address = \"" + socket + "\"",
        "[ttrpc]",
        "  address = \"" + socket + ".ttrpc\"",
        "[debug]",
        "  address = \"\"",
        "[metrics]",
        "  address = \"\"",
        // the opt plugin's directory (binaries and libraries for runtimes) is /opt/containerd unless given
        "[plugins.\"io.containerd.internal.v1.opt\"]",
        "  path = \"" + dir.resolve("opt") + "\"",
        ""));
    containerd = new ProcessBuilder(binary.toString(), "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
    if (!Poll.holdsWithin(Duration.ofSeconds(30),
        () -> containerd.isAlive() && ctr("version").code() == 0)) {
      throw new AssertionError("containerd did not answer on " + socket + ":\n"
          + Files.readString(dir.resolve("containerd.log")));
    }
    Path layout = BusyboxLayout.create(dir.resolve("layout"));
    Path archive = dir.resolve("busybox.tar");
    HostCommand.run(dir, TIMEOUT, List.of(skopeo.toString(), "copy", "-q",
        "oci:" + layout + ":" + BusyboxLayout.TAG, "oci-archive:" + archive + ":" + IMAGE)).ok();
    ctr("images", "import", "--snapshotter", "overlayfs", archive.toString()).ok();
  }

  @AfterAll
  static void stopContainerd() throws Exception {
    if (dir == null) {
      return;
    }
    List<String> problems = new ArrayList<>();
    try {
      if (containerd != null) {
        String left = ctr("containers", "ls", "-q").out().strip();
        if (!left.isEmpty()) {
          problems.add("containers left: " + left);
        }
        containerd.destroy();
        if (!containerd.waitFor(20, TimeUnit.SECONDS)) {
          problems.add("containerd did not stop on SIGTERM");
          containerd.destroyForcibly().waitFor();
        }
      }
    } finally {
      Host.unmountAndClose(dir, cgroups, problems);
    }
    assertEquals(List.of(), problems);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.dcont.clients.Runtime#all")
  void runRmPrintsWhatTheContainerPrinted(Runtime runtime) throws Exception {
    Runtime.Wrapped w = runtime.wrap(dir, "run-rm");
    String id = "run-rm-" + runtime.name();
    HostCommand.Result r = ctr(run(w, id, "--rm", IMAGE, id, "echo", "hi"));
    w.report("ctr", "run --rm", r.out());
    assertEquals(0, r.code(), r.toString() + calls(w));
    assertEquals("hi\n", r.out(), r.toString());
    assertNothingLeft(w);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.dcont.clients.Runtime#all")
  void detachedTaskTakesExecAndIsKilledAndDeleted(Runtime runtime) throws Exception {
    Runtime.Wrapped w = runtime.wrap(dir, "run-d");
    String id = "run-d-" + runtime.name();
    try {
      ctr(run(w, id, "-d", IMAGE, id, "sleep", "100")).ok();
      HostCommand.Result exec = ctr("tasks", "exec", "--exec-id", "e1", "--fifo-dir", fifos(), id, "echo", "in");
      w.report("ctr", "tasks exec", exec.out());
      assertEquals(0, exec.code(), exec.toString() + calls(w));
      assertEquals("in\n", exec.out());
      ctr("tasks", "kill", "--signal", "SIGKILL", id).ok();
      Poll.until("the task to stop", TIMEOUT, () -> ctr("tasks", "ls").ok().out().lines()
          .anyMatch(l -> l.startsWith(id + " ") && l.contains("STOPPED")));
      ctr("tasks", "delete", id).ok();
      ctr("containers", "delete", id).ok();
      System.out.println("[" + runtime + "] runtime calls for run -d, tasks exec, tasks kill, tasks delete:\n"
          + w.calls());
    } finally {
      ctr("tasks", "delete", "--force", id);
      ctr("containers", "delete", id);
    }
    assertNothingLeft(w);
  }

  /**
   * No container or task of containerd's, no mount under the class's directory; of the containers the test made,
   * no cgroup and none that the runtime lists.
   */
  private static void assertNothingLeft(Runtime.Wrapped w) throws Exception {
    // first, so that a failed test leaves no runtime state
    List<String> listed = w.removeListed(dir, "--root", runtimeRoot().resolve("default").toString());
    String tasks = ctr("tasks", "ls", "-q").ok().out().strip();
    String containers = ctr("containers", "ls", "-q").ok().out().strip();
    for (String id : containers.lines().toList()) { // the next test starts clean
      ctr("tasks", "delete", "--force", id);
      ctr("containers", "delete", id);
    }
    assertEquals("", tasks, "containerd tasks left");
    assertEquals("", containers, "containerd containers left");
    w.assertNoContainerLeft(dir, cgroups, w.created(), listed, calls(w));
  }

  private static String calls(Runtime.Wrapped w) throws IOException {
    return "\n--- runtime calls\n" + w.calls() + "--- containerd's log (end)\n" + tail(dir.resolve("containerd.log"));
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())) + "\n";
  }

  /** The runtime's root: the shim gives it {@code --root ROOT/NAMESPACE}. */
  private static Path runtimeRoot() {
    return dir.resolve("runtime-root");
  }

  /** Where ctr makes the FIFOs of a task's stdio (else under /run/containerd). */
  private static String fifos() {
    return dir.resolve("fifo").toString();
  }

  /** {@code ctr run} through the runc shim with {@code w} as its runtime binary, then {@code rest}. */
  private static String[] run(Runtime.Wrapped w, String id, String... rest) {
    List<String> a = new ArrayList<>(List.of("run", "--runtime", "io.containerd.runc.v2",
        "--runc-binary", w.script().toString(), "--runc-root", runtimeRoot().toString(),
        "--fifo-dir", fifos(), "--snapshotter", "overlayfs",
        "--cgroup", cgroups.pathOf(id)));
    a.addAll(List.of(rest));
    return a.toArray(String[]::new);
  }

  private static HostCommand.Result ctr(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(ctr.toString(), "--address", socket.toString()));
    cmd.addAll(List.of(args));
    return HostCommand.run(dir, TIMEOUT, cmd);
  }
}
