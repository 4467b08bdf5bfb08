package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.LocalRegistry;
import dev.dcont.testkit.Root;
import dev.dcont.testkit.TestImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcont run} of an image that is not in the store prints what {@code docker run} prints as it pulls. */
class RunPullIntegrationTest {
  static LocalRegistry registry;
  static TestImage busybox;
  static String ref;

  @TempDir
  Path root;

  @BeforeAll
  static void setUp() throws Exception {
    Root.require("containers need namespaces, overlayfs and cgroups");
    registry = LocalRegistry.start();
    busybox = TestImage.builder().layer(Busybox.rootfs().build(), Layer.Compression.GZIP)
        .config("Cmd", List.of("sh")).build();
    ref = registry.push("t/busybox", "1", busybox);
  }

  @AfterAll
  static void tearDown() {
    if (registry != null) {
      registry.close();
    }
  }

  @AfterEach
  void removeWhatAFailedTestLeft() {
    Cli.removeContainers(root);
  }

  @Test
  void runOfAMissingImageSaysSoThenPullsWithDockersLinesOnStandardError() {
    Cli.Result run = Cli.run(root, "run", "--rm", ref, "true");
    assertEquals(0, run.code(), run.toString());
    String layer = busybox.layers().get(0).digest().shortHex();
    // docker run ends with the Status line: the reference that docker pull prints last is not printed
    assertEquals("Unable to find image '" + ref + "' locally\n"
        + "1: Pulling from " + registry.host() + "/t/busybox\n"
        + layer + ": Pulling fs layer\n"
        + layer + ": Waiting\n"
        + layer + ": Verifying Checksum\n"
        + layer + ": Download complete\n"
        + layer + ": Pull complete\n"
        + "Digest: " + busybox.manifestDigest() + "\n"
        + "Status: Downloaded newer image for " + ref + "\n", run.err().replace(System.lineSeparator(), "\n"));
    assertEquals("", run.out());

    Cli.Result again = Cli.run(root, "run", "--rm", ref, "true");
    assertEquals(0, again.code(), again.toString());
    assertEquals("", again.err(), "an image in the store is not pulled");
  }
}
