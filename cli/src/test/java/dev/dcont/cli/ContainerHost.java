package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dcont.testkit.LocalRegistry;
import dev.dcont.testkit.Root;
import dev.dcont.testkit.TestCgroupParent;
import dev.dcont.testkit.TestImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What a test class that runs containers holds for all its tests: root (required, never skipped on CI), a
 * loopback registry for its images and a cgroup parent of its own, under which every container of the class runs
 * and on which alone the class asserts. Made in {@code @BeforeAll}, closed in {@code @AfterAll}.
 */
final class ContainerHost implements AutoCloseable {
  final LocalRegistry registry;
  final TestCgroupParent cgroups;

  private ContainerHost(LocalRegistry registry, TestCgroupParent cgroups) {
    this.registry = registry;
    this.cgroups = cgroups;
  }

  static ContainerHost start(String owner, String why) throws IOException, InterruptedException {
    Root.require(why);
    TestCgroupParent cgroups = TestCgroupParent.create(owner);
    try {
      return new ContainerHost(LocalRegistry.start(), cgroups);
    } catch (IOException | InterruptedException | RuntimeException e) {
      try {
        cgroups.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  static ContainerHost start(String owner) throws IOException, InterruptedException {
    return start(owner, "containers need namespaces, overlayfs and cgroups");
  }

  /** Pushes {@code image} as {@code repo:1} and pulls it into {@code store}; its reference. */
  String pushAndPull(Path store, String repo, TestImage image) throws IOException, InterruptedException {
    String ref = registry.push(repo, "1", image);
    Cli.Result pull = Cli.run(store, "pull", "-q", ref);
    assertEquals(0, pull.code(), pull.toString());
    return ref;
  }

  /** {@code args} with the class's cgroup parent given to a run. */
  String[] inParent(String... args) {
    return Cli.inParent(cgroups, args);
  }

  @Override
  public void close() throws Exception {
    try {
      registry.close();
    } finally {
      cgroups.close();
    }
  }
}
