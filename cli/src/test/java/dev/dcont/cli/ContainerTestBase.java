package dev.dcont.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the container test classes share: the class's {@link ContainerHost} (root, a loopback registry, a cgroup
 * parent of its own), its store and each test's work directory; what a failed test left is removed after it, and
 * the host is closed after the class. A class starts {@link #host} and pulls its images into {@link #root} in a
 * {@code @BeforeAll} of its own. (The network classes have {@link NetworkTestBase}, which runs dcont in a network
 * namespace of the test's own.)
 */
abstract class ContainerTestBase {
  static ContainerHost host;

  @TempDir
  static Path root;
  @TempDir
  Path work;

  @AfterAll
  static void closeHost() throws Exception {
    if (host != null) {
      host.close();
      host = null;
    }
  }

  @AfterEach
  void removeWhatAFailedTestLeft() {
    Cli.removeContainers(root);
  }
}
