package dev.dcont.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.HostCommand;
import dev.dcont.testkit.Root;
import dev.dcont.testkit.TestCgroupParent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * runc's options as a caller uses them, from a shell, with runc as the reference: the descriptors of
 * {@code --preserve-fds} opened by the shell, and {@code list}'s JSON fields. Through the programs at the
 * repository's root, the launcher included.
 */
class RuncOptionsClientTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  static Path tmp;
  private static Path dir;
  private static Path bundle;
  private static TestCgroupParent cgroups;
  private static int made;

  @BeforeAll
  static void bundle() throws Exception {
    Root.require("the runtimes make containers as root: namespaces, mounts, cgroups");
    dir = tmp.toRealPath();
    cgroups = TestCgroupParent.create("RuncOptionsClientTest");
    bundle = dir.resolve("bundle");
    Path rootfs = Files.createDirectories(bundle.resolve("rootfs"));
    Path tar = Files.write(dir.resolve("busybox.tar"), Busybox.rootfs().build());
    HostCommand.run(dir, TIMEOUT, List.of("tar", "-xf", tar.toString(), "-C", rootfs.toString())).ok();
  }

  @AfterAll
  static void nothingLeft() throws Exception {
    if (dir == null) {
      return;
    }
    List<String> problems = new ArrayList<>();
    try {
      if (!cgroups.children().isEmpty()) {
        problems.add("cgroups left: " + cgroups.children());
      }
    } finally {
      Host.unmountAndClose(dir, cgroups, problems);
    }
    assertEquals(List.of(), problems);
  }

  /** A config.json both runtimes take, running {@code sh -c script} as root without capabilities. */
  private static String writeConfig(String script) throws Exception {
    String id = "opt-" + ++made;
    Files.writeString(bundle.resolve("config.json"), """
        {"ociVersion": "1.0.2",
         "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/",
                     "args": ["sh", "-c", %s], "env": ["PATH=/bin"]},
         "root": {"path": "rootfs"},
         "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
         "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}],
                   "cgroupsPath": "%s"}}
        """.formatted(jsonString(script), cgroups.pathOf(id)));
    return id;
  }

  private static String jsonString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** {@code RUNTIME --root ROOT ARGS} from a shell that first sets up {@code redirections}. */
  private static HostCommand.Result shell(Runtime runtime, String redirections, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(runtime.binary().toString(), "--root",
        dir.resolve("root-" + runtime.name()).toString()));
    cmd.addAll(List.of(args));
    return HostCommand.run(dir, TIMEOUT, List.of("/bin/sh", "-c", "exec " + Host.shellQuote(cmd) + " " + redirections));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.dcont.clients.Runtime#all")
  void preservedDescriptorsAreTheContainersThreeOnward(Runtime runtime) throws Exception {
    Path three = Files.writeString(dir.resolve("three"), "three\n");
    Path four = Files.writeString(dir.resolve("four"), "four\n");
    String id = writeConfig("cat /proc/self/fd/3 /proc/self/fd/4; test -e /proc/self/fd/5 || echo no-5");
    HostCommand.Result r = shell(runtime, "3<" + three + " 4<" + four + " 5<" + three, "run", "--preserve-fds", "2",
        "--bundle", bundle.toString(), id);
    System.out.println("[" + runtime + "] run --preserve-fds 2: " + r.out());
    assertEquals(0, r.code(), r.toString());
    assertEquals("three\nfour\nno-5\n", r.out(), r.toString());
    shell(runtime, "", "delete", "--force", id);

    if (runtime.name().equals(Runtime.DCONT_RUNTIME)) {
      // one the caller did not give is refused: in the JVM that number is one of its own files by now
      String other = writeConfig("true");
      HostCommand.Result refused = shell(runtime, "3<" + three, "run", "--preserve-fds", "2", "--bundle",
          bundle.toString(), other);
      assertEquals(1, refused.code(), refused.toString());
      assertTrue(refused.err().contains("descriptor 4 was not open when dcont-runtime started"), refused.toString());
    }
  }

  private static List<String> keys(String json) {
    List<String> keys = new ArrayList<>();
    Matcher m = Pattern.compile("\"(\\w+)\":").matcher(json);
    while (m.find()) {
      keys.add(m.group(1));
    }
    return keys;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.dcont.clients.Runtime#all")
  void listGivesRuncsFieldsInRuncsOrder(Runtime runtime) throws Exception {
    String id = writeConfig("sleep 1000");
    shell(runtime, "</dev/null >/dev/null 2>&1", "create", "--bundle", bundle.toString(), id);
    try {
      HostCommand.Result json = shell(runtime, "", "list", "--format", "json");
      System.out.println("[" + runtime + "] list --format json: " + json.out());
      assertEquals(0, json.code(), json.toString());
      assertEquals(List.of("ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner"),
          keys(json.out()), json.out());
      assertEquals(1, json.out().lines().count(), json.out());
      HostCommand.Result table = shell(runtime, "", "list");
      assertEquals(List.of("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"),
          List.of(table.out().lines().findFirst().orElse("").trim().split("\\s+")), table.out());
    } finally {
      shell(runtime, "", "delete", "--force", id);
    }
  }
}
