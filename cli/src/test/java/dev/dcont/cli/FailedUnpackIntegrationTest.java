package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.model.Digest;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.LocalRegistry;
import dev.dcont.testkit.Root;
import dev.dcont.testkit.TarBuilder;
import dev.dcont.testkit.TestImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image becomes visible only once it is stored and unpacked: a pull that fails while unpacking (a layer whose
 * content does not have the diff ID its config names) leaves no image in {@code dcont images}, through
 * {@code dcont pull} and through {@code run}'s pull alike.
 */
class FailedUnpackIntegrationTest {
  static LocalRegistry registry;
  static TestImage lying;
  static String ref;

  @TempDir
  Path root;

  @BeforeAll
  static void setUp() throws Exception {
    registry = LocalRegistry.start();
    TestImage good = TestImage.builder().layer(new TarBuilder().file("a.txt", "a").build(), Layer.Compression.GZIP)
        .build();
    lying = withDiffId(good, Digest.sha256("another tar"));
    ref = registry.push("t/lying", "1", lying);
  }

  @AfterAll
  static void tearDown() {
    if (registry != null) {
      registry.close();
    }
  }

  /** {@code img} with its config naming {@code diffId} for its layer: the blobs are sound, the unpack is not. */
  static TestImage withDiffId(TestImage img, Digest diffId) {
    String config = new String(img.config(), StandardCharsets.UTF_8)
        .replace(img.layers().get(0).diffId().toString(), diffId.toString());
    byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
    String manifest = new String(img.manifest(), StandardCharsets.UTF_8)
        .replace("\"digest\":\"" + img.configDigest() + "\",\"size\":" + img.config().length,
            "\"digest\":\"" + Digest.sha256(configBytes) + "\",\"size\":" + configBytes.length);
    assertTrue(manifest.contains(Digest.sha256(configBytes).toString()), manifest);
    return new TestImage(img.layers(), configBytes, manifest.getBytes(StandardCharsets.UTF_8),
        img.manifestMediaType(), img.platform());
  }

  @Test
  void aPullThatFailsWhileUnpackingLeavesNoImageListed() {
    Cli.Result pull = Cli.run(root, "pull", ref);
    assertEquals(1, pull.code(), pull.toString());
    assertTrue(pull.err().toLowerCase().contains("diff"), pull.err());
    assertEquals("", Cli.run(root, "images", "-q").out(), "no image listed");

    Cli.Result again = Cli.run(root, "pull", ref);
    assertEquals(1, again.code(), "the image is not taken as present: " + again);
    assertEquals("", Cli.run(root, "images", "-q").out(), "no image listed");
  }

  @Test
  void runsPullThatFailsWhileUnpackingLeavesNoImageListed() {
    Root.require("run");
    Cli.Result run = Cli.run(root, "run", "--rm", ref, "true");
    assertEquals(125, run.code(), run.toString());
    assertTrue(run.err().toLowerCase().contains("diff"), run.err());
    assertEquals("", Cli.run(root, "images", "-q").out(), "no image listed");
    Cli.Result again = Cli.run(root, "run", "--rm", "--pull", "never", ref, "true");
    assertEquals(125, again.code(), again.toString());
    assertTrue(again.err().contains("No such image"), again.err());
  }
}
