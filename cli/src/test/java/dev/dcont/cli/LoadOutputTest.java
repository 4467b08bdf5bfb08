package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.model.Digest;
import dev.dcont.testkit.Root;
import dev.dcont.testkit.TarBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code dcont load} prints, as Docker's load: a {@code Loading layer} line per layer it unpacks (none with
 * {@code -q}), the renaming of a name that named another image, and the {@code Loaded image} lines.
 */
class LoadOutputTest {
  static byte[] layerA;
  static byte[] layerB;

  @TempDir
  Path dir;

  @BeforeAll
  static void fixtures() {
    Root.require("load unpacks layers with their owners, as a pull does");
    layerA = new TarBuilder().dir("etc").file("etc/a", "a\n").build();
    layerB = new TarBuilder().dir("etc").file("etc/b", "b\n").build();
  }

  /** An old-layout archive of one image of one layer, named {@code tag}. */
  private Path archive(String file, byte[] layer, String tag) throws IOException {
    byte[] config = HostileArchiveTest.config(Digest.sha256(layer));
    String configName = Digest.sha256(config).hex() + ".json";
    return Files.write(dir.resolve(file), new dev.dcont.testkit.RawTar().file("0123abcd/layer.tar", layer)
        .file(configName, config).file("manifest.json", HostileArchiveTest.manifestJson(configName,
            "0123abcd/layer.tar", tag)).build());
  }

  private static Digest imageId(byte[] layer) {
    return Digest.sha256(HostileArchiveTest.config(Digest.sha256(layer)));
  }

  private static Cli.Result ok(Cli.Result r) {
    assertEquals(0, r.code(), r.toString());
    return r;
  }

  @Test
  void eachLayerLoadingIsOneLineWithoutATerminalAndQuietPrintsOnlyTheLoadedLines() throws IOException {
    Path tar = archive("a.tar", layerA, "load/out:1");
    String id = Digest.sha256(layerA).shortHex();
    assertEquals(id + ": Loading layer\nLoaded image: load/out:1\n",
        ok(Cli.run(dir.resolve("store"), "load", "-i", tar.toString())).out());
    assertEquals("Loaded image: load/out:1\n",
        ok(Cli.run(dir.resolve("store-quiet"), "load", "-q", "-i", tar.toString())).out());
    // a layer the store has already is not loaded again, and Docker prints nothing for it
    assertEquals("Loaded image: load/out:1\n", ok(Cli.run(dir.resolve("store"), "load", "-i", tar.toString())).out());

    // dcont's save puts the documents first: the layer is unpacked while it is read, and says so the same way
    byte[] config = HostileArchiveTest.config(Digest.sha256(layerB));
    Path streamed = Files.write(dir.resolve("streamed.tar"), HostileArchiveTest.documentsFirst(
        List.of(HostileArchiveTest.ociManifest(Digest.sha256(config), config.length, Digest.sha256(layerB),
            layerB.length)), List.of(config), List.<Object[]>of(new Object[] {"blobs/sha256/"
            + Digest.sha256(layerB).hex(), layerB})));
    assertEquals(Digest.sha256(layerB).shortHex() + ": Loading layer\nLoaded image: hostile/streamed:0\n",
        ok(Cli.run(dir.resolve("store"), "load", "-i", streamed.toString())).out());
  }

  @Test
  void aNameTakenFromAnotherImageIsReportedAndTheOldImageStaysWithoutAName() throws IOException {
    Path store = dir.resolve("store");
    ok(Cli.run(store, "load", "-q", "-i", archive("a.tar", layerA, "load/moved:1").toString()));
    Cli.Result again = ok(Cli.run(store, "load", "-q", "-i", archive("b.tar", layerB, "load/moved:1").toString()));
    assertEquals("The image load/moved:1 already exists, renaming the old one with ID " + imageId(layerA)
        + " to empty string\nLoaded image: load/moved:1\n", again.out());

    List<String> images = ok(Cli.run(store, "images", "--no-trunc")).out().lines().skip(1).toList();
    assertEquals(2, images.size(), images.toString());
    assertTrue(images.stream().anyMatch(l -> l.startsWith("load/moved ") && l.contains(imageId(layerB).toString())),
        images.toString());
    assertTrue(images.stream().anyMatch(l -> l.startsWith("<none> ") && l.contains(imageId(layerA).toString())),
        images.toString());

    // tag moves a name silently, as Docker's; an image with the same ID keeping its name is not a renaming
    assertEquals("", ok(Cli.run(store, "tag", imageId(layerA).hex(), "load/moved:1")).out());
    assertEquals("Loaded image: load/moved:1\n",
        ok(Cli.run(store, "load", "-q", "-i", dir.resolve("a.tar").toString())).out());
  }
}
