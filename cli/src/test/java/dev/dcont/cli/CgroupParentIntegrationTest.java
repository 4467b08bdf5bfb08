package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.LocalRegistry;
import dev.dcont.testkit.Root;
import dev.dcont.testkit.TestCgroupParent;
import dev.dcont.testkit.TestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcont run --cgroup-parent}: the container's cgroup is PARENT/ID in each hierarchy, found by stop and rm. */
class CgroupParentIntegrationTest {
  static LocalRegistry registry;
  static String busybox;
  TestCgroupParent parent;

  @TempDir
  static Path root;

  @BeforeAll
  static void setUp() throws Exception {
    Root.require("containers need namespaces, overlayfs and cgroups");
    registry = LocalRegistry.start();
    busybox = registry.push("t/busybox", "1", TestImage.builder()
        .layer(Busybox.rootfs().build(), Layer.Compression.GZIP).config("Cmd", List.of("sh")).build());
    assertEquals(0, Cli.run(root, "pull", "-q", busybox).code());
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  @BeforeEach
  void ownParent() {
    parent = TestCgroupParent.create("cgroup-parent");
  }

  @AfterEach
  void removeWhatAFailedTestLeft() throws Exception {
    Cli.removeContainers(root);
    parent.close();
  }

  /** The hierarchies a container's cgroup must be in: each v1 controller dcont manages, or the unified one. */
  private static List<Path> hierarchies() {
    if (Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))) {
      return List.of(Path.of("/sys/fs/cgroup"));
    }
    List<Path> out = new ArrayList<>();
    for (String c : List.of("memory", "cpu", "pids", "devices", "freezer")) {
      out.add(Path.of("/sys/fs/cgroup", c));
    }
    return out;
  }

  @Test
  void theContainersCgroupIsUnderTheParentUntilRm() throws Exception {
    String nested = parent.name() + "/job/";
    // sleep is the container's work: it must still run while its cgroup is looked at
    Cli.Result started = Cli.run(root, "run", "-d", "--cgroup-parent", "/" + nested, "--name", "held", busybox,
        "sleep", "100");
    assertEquals(0, started.code(), started.toString());
    String id = RunIntegrationTest.lastLine(started.out());
    JsonDoc inspected = JsonDoc.parse(Cli.run(root, "inspect", "held").out()).get(0);
    String pid = Integer.toString(inspected.get("State").get("Pid").asInt());
    for (Path h : hierarchies()) {
      Path cg = h.resolve(parent.name()).resolve("job").resolve(id);
      assertTrue(Files.readString(cg.resolve("cgroup.procs")).lines().toList().contains(pid),
          "the container's init " + pid + " is in " + cg);
      assertFalse(Files.exists(h.resolve("dcont").resolve(id)), "not under the default parent in " + h);
    }
    String own = Files.readString(Path.of("/proc", pid, "cgroup"));
    assertTrue(own.lines().anyMatch(l -> l.endsWith(":/" + parent.name() + "/job/" + id)), own);

    assertEquals(0, Cli.run(root, "stop", "-t", "1", "held").code(), "stop finds the container");
    assertEquals(0, Cli.run(root, "rm", "held").code());
    for (Path h : hierarchies()) {
      assertFalse(Files.exists(h.resolve(parent.name()).resolve("job").resolve(id)), "removed from " + h);
    }
  }

  @Test
  void aParentThatLeadsOutOfTheCgroupRootIsRefused() throws Exception {
    for (String bad : List.of("../escape", parent.name() + "/../../escape", parent.name() + "/./b")) {
      Cli.Result r = Cli.run(root, "run", "--rm", "--cgroup-parent", bad, busybox, "true");
      assertEquals(125, r.code(), bad + ": " + r);
      assertEquals(1, r.err().lines().count(), "one line: " + r.err());
      assertTrue(r.err().contains("--cgroup-parent '" + bad + "'") && r.err().contains("is not allowed"), r.err());
    }
    // the same command with a parent that stays inside runs (empty components are dropped)
    Cli.Result fine = Cli.run(root, "run", "--rm", "--cgroup-parent", parent.name() + "//ok/", busybox, "true");
    assertEquals(0, fine.code(), fine.toString());
    assertEquals("", Cli.run(root, "ps", "-a", "-q").out(), "no container was made or left");
    assertEquals(List.of(), parent.children().stream().filter(c -> !c.getFileName().toString().equals("ok")).toList(),
        "nothing made under the parent but ok");
    for (Path h : hierarchies()) {
      assertFalse(Files.exists(h.getParent().resolve("escape")) || Files.exists(h.resolve("escape")), "nothing made");
    }
  }
}
