package dev.dcont.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.layers.sys.NativeSyscalls;
import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.MediaType;
import dev.dcont.testkit.RawTar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tar headers no writer makes and images over the image-wide limits: each refused with one line that names the
 * layer, the entry and the limit, leaving no snapshot, temporary directory, link or row for the image.
 */
class HostileTarTest extends WithStore {
  private static byte[] bytes(int n, char c) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) c);
    return b;
  }

  /** Unpacks a one-layer image of {@code tar}; returns the one-line refusal after checking nothing is left. */
  private String refused(byte[] tar) throws IOException {
    ImageRecord img = TestLayers.saveImage(store, "test/hostile:1", List.of(TestLayers.Layer.gzip(tar)));
    LayerException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(LayerRefusedException.class,
        () -> ImageUnpacker.ensureUnpacked(store, img, ImageUnpacker.Listener.NONE)));
    String m = e.getMessage();
    assertTrue(m.startsWith("layer " + img.layers().get(0).digest() + ": entry '"), m);
    assertFalse(m.contains("\n"), m);
    assertNothingLeft();
    return m;
  }

  private void assertNothingLeft() throws IOException {
    assertEquals(Map.of(), SnapshotStore.of(store).committed(), "no snapshot row");
    assertEquals(List.of(), Trees.list(store.layout().snapshotsDir()), "no snapshot or temporary directory");
    assertEquals(List.of(), Trees.list(store.layout().linksDir()), "no link");
  }

  @Test
  void negativePaxSizeIsRefused() throws IOException {
    byte[] tar = new RawTar().pax('x', Map.of("size", "-5")).header("evil", '0', 0)
        .file("next", "data".getBytes(StandardCharsets.UTF_8)).build();
    String m = refused(tar);
    assertTrue(m.contains("entry 'evil' has PAX record size='-5', not a number from 0 to 9223372036854775807"), m);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "size   | 99999999999999999999 | not a number from 0 to 9223372036854775807",
      "size   | 12abc                | not a number from 0 to 9223372036854775807",
      "size   | ' 7'                 | not a number from 0 to 9223372036854775807",
      "uid    | -1                   | not a number from 0 to 4294967294",
      "uid    | 4294967296           | not a number from 0 to 4294967294",
      "gid    | 4294967295           | not a number from 0 to 4294967294",
      "SCHILY.devmajor | -3          | not a number from 0 to 4294967295",
      "mtime  | 1e9                  | not a time in seconds",
      "mtime  | 99999999999999999.5  | not a time in seconds",
  })
  void nonsensePaxNumbersAreRefused(String key, String value, String problem) throws IOException {
    byte[] tar = new RawTar().pax('x', Map.of(key, value)).file("f", "x".getBytes(StandardCharsets.UTF_8)).build();
    String m = refused(tar);
    assertTrue(m.contains("entry 'f' has PAX record " + key + "='" + value + "', " + problem), m);
  }

  @Test
  void base256SizeOverflowingSixtyFourBitsIsRefused() throws IOException {
    byte[] size = new byte[12];
    size[0] = (byte) 0x80;
    size[3] = 1; // 2^64: its low 64 bits are 0, what the reader took before
    byte[] tar = new RawTar().base256SizeHeader("huge", '0', size).file("next", new byte[10]).build();
    String m = refused(tar);
    assertTrue(m.contains("entry 'huge' has a number in its tar header that does not fit in 64 bits"), m);
  }

  @Test
  void globalHeaderOfSeveralMiBIsRefused() throws IOException {
    String big = new String(bytes(4 << 20, 'a'), StandardCharsets.US_ASCII);
    byte[] tar = new RawTar().pax('g', Map.of("comment", big)).file("f", new byte[1]).build();
    String m = refused(tar);
    assertTrue(m.contains("entry 'pax_global_header' is a PAX global header of 41943"), m);
    assertTrue(m.contains("over the limit of 1048576 bytes for one extended header"), m);
  }

  @Test
  void manyGlobalHeadersAreRefused() throws IOException {
    RawTar t = new RawTar();
    for (int i = 0; i < 5000; i++) {
      t.pax('g', Map.of("SCHILY.xattr.user.k" + i, "v"));
    }
    String m = refused(t.file("f", new byte[1]).build());
    assertTrue(m.contains("entry 'pax_global_header' is extended header (PAX or GNU) number 65 in a row"), m);
  }

  @Test
  void localPaxHeaderAndGnuLongNameOverOneMiBAreRefused() throws IOException {
    byte[] record = RawTar.record("comment", new String(bytes(2 << 20, 'b'), StandardCharsets.US_ASCII));
    String m = refused(new RawTar().extended("PaxHeaders/f", 'x', record).file("f", new byte[1]).build());
    assertTrue(m.contains("entry 'PaxHeaders/f' is a PAX header of 20971"), m);
    store.close();
    store = Store.open(dir.resolve("store2"));
    m = refused(new RawTar().extended("././@LongLink", 'L', bytes((1 << 20) + 1, 'n')).file("f", new byte[1]).build());
    assertTrue(m.contains("entry '././@LongLink' is a GNU long name of 1048577 bytes"), m);
  }

  @Test
  void globalHeadersAreIgnoredAndTheLastLocalHeaderAppliesAsInGo() throws IOException {
    Map<String, String> first = new LinkedHashMap<>();
    first.put("path", "renamed");
    first.put("SCHILY.xattr.user.a", "1");
    byte[] tar = new RawTar().pax('g', Map.of("SCHILY.xattr.user.global", "g", "path", "everything"))
        .pax('x', first).pax('x', Map.of("mtime", "1600000000.25")).file("f", "x".getBytes(StandardCharsets.UTF_8))
        .file("g", "y".getBytes(StandardCharsets.UTF_8)).build();
    ImageRecord img = TestLayers.saveImage(store, "test/go:1", List.of(TestLayers.Layer.gzip(tar)));
    Path fs = ImageUnpacker.ensureUnpacked(store, img, ImageUnpacker.Listener.NONE).get(0).fs(store.layout());
    try (var s = Files.list(fs)) {
      assertEquals(List.of("f", "g"), s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertEquals(1_600_000_000L, Files.getLastModifiedTime(fs.resolve("f")).toMillis() / 1000);
    assertEquals(null, NativeSyscalls.get().lgetxattr(fs.resolve("f"), "user.global"));
    assertEquals(null, NativeSyscalls.get().lgetxattr(fs.resolve("f"), "user.a"));
  }

  // ---- image-wide limits ----

  /** Three layers of {@code files} files of {@code size} bytes each. */
  private ImageRecord threeLayers(String ref, int files, int size) throws IOException {
    List<TestLayers.Layer> layers = new ArrayList<>();
    for (int l = 0; l < 3; l++) {
      TestLayers.Tar t = new TestLayers.Tar();
      for (int f = 0; f < files; f++) {
        t.file("l" + l + "/f" + f, bytes(size, (char) ('a' + l)), 0644, e -> { });
      }
      layers.add(TestLayers.Layer.gzip(t.bytes()));
    }
    return TestLayers.saveImage(store, ref, layers);
  }

  @Test
  void layersTogetherOverTheImageByteLimitAreRefusedAndTheRecordedOnesRemoved() throws IOException {
    ImageRecord img = threeLayers("test/bytes:1", 1, 600_000);
    // each layer is under its own limit of 1 MiB, the three together over the image's 1.5 MiB
    UnpackLimits limits = new UnpackLimits(1 << 20, 1000, 3 << 19, 1000);
    List<ImageRecord.Layer> recorded = new ArrayList<>();
    LayerException e = assertThrows(LayerRefusedException.class, () -> ImageUnpacker.ensureUnpacked(store, img,
        new ImageUnpacker.Listener() {
          @Override
          public void unpacked(ImageRecord.Layer layer, Snapshot snapshot, boolean existed) {
            recorded.add(layer);
          }
        }, NativeSyscalls.get(), limits, 1));
    String m = e.getMessage();
    assertEquals(2, recorded.size(), "one at a time: the first two layers were recorded before the third failed");
    // the whole of a small layer arrives in one piece: it is refused before its first entry
    assertTrue(m.startsWith("layer " + img.layers().get(2).digest() + ": after 0 entries: the image's layers "
        + "together are over the limit of 1572864 uncompressed bytes"), m);
    assertTrue(m.contains("raise DCONT_MAX_IMAGE_BYTES"), m);
    assertFalse(m.contains("\n"), m);
    assertNothingLeft();

    ImageUnpacker.ensureUnpacked(store, img, ImageUnpacker.Listener.NONE, NativeSyscalls.get(),
        new UnpackLimits(1 << 20, 1000, 2 << 20, 1000), 1);
    assertEquals(3, SnapshotStore.of(store).committed().size(), "under a raised limit the image unpacks");
  }

  @Test
  void layersTogetherOverTheImageEntryLimitAreRefusedWhileUnpackingInParallel() throws IOException {
    ImageRecord img = threeLayers("test/entries:1", 40, 10);
    UnpackLimits limits = new UnpackLimits(1 << 20, 50, 1 << 30, 100);
    LayerException e = assertThrows(LayerRefusedException.class, () -> ImageUnpacker.ensureUnpacked(store, img,
        ImageUnpacker.Listener.NONE, NativeSyscalls.get(), limits, 3));
    String m = e.getMessage();
    assertTrue(m.matches("layer sha256:[0-9a-f]{64}: entry 'l[0-2]/f[0-9]+' takes the image over the limit of 100 "
        + "entries for all its layers together \\(a decompression bomb\\? raise DCONT_MAX_IMAGE_ENTRIES .*"), m);
    assertNothingLeft();
  }

  @Test
  void aCorruptLayerIsNotARefusal() throws IOException {
    // a refusal makes the commands remove the image; a layer that does not match its diff ID is only reported
    byte[] tar = new TestLayers.Tar().file("f", "x").bytes();
    byte[] other = new TestLayers.Tar().file("g", "y").bytes();
    ImageRecord img = TestLayers.saveImage(store, "test/corrupt:1",
        List.of(new TestLayers.Layer(tar, TestLayers.gzip(other), MediaType.OCI_LAYER_GZIP)));
    LayerException e = assertThrows(LayerException.class,
        () -> ImageUnpacker.ensureUnpacked(store, img, ImageUnpacker.Listener.NONE));
    assertFalse(e instanceof LayerRefusedException, e.getMessage());
    assertTrue(e.getMessage().contains("says diff_id"), e.getMessage());
  }

  @Test
  void layersAlreadyUnpackedForAnotherImageCountNothingAndStay() throws IOException {
    List<TestLayers.Layer> layers = new ArrayList<>();
    for (int l = 0; l < 3; l++) {
      TestLayers.Tar t = new TestLayers.Tar();
      for (int f = 0; f < 40; f++) {
        t.file("l" + l + "/f" + f, "x");
      }
      layers.add(TestLayers.Layer.gzip(t.bytes()));
    }
    ImageRecord first = TestLayers.saveImage(store, "test/first:1", layers);
    ImageUnpacker.ensureUnpacked(store, first, ImageUnpacker.Listener.NONE);
    TestLayers.Tar more = new TestLayers.Tar();
    for (int f = 0; f < 101; f++) {
      more.file("more/f" + f, "z");
    }
    List<TestLayers.Layer> four = new ArrayList<>(layers);
    four.add(TestLayers.Layer.gzip(more.bytes()));
    ImageRecord second = TestLayers.saveImage(store, "test/second:1", four);
    // 120 entries in the shared layers: had they counted, the first entry of the fourth would be refused
    LayerException e = assertThrows(LayerException.class, () -> ImageUnpacker.ensureUnpacked(store, second,
        ImageUnpacker.Listener.NONE, NativeSyscalls.get(), new UnpackLimits(1 << 20, 1000, 1 << 30, 100), 2));
    assertTrue(e.getMessage().contains("entry 'more/f100' takes the image over the limit of 100 entries"),
        e.getMessage());
    assertEquals(3, SnapshotStore.of(store).committed().size(), "the first image's snapshots stay");
    assertEquals(3, Trees.list(store.layout().snapshotsDir()).size(), "and nothing else");
  }

  @Test
  void limitsComeFromTheEnvironment() {
    Map<String, String> env = Map.of("DCONT_MAX_IMAGE_BYTES", "1000", "DCONT_MAX_IMAGE_ENTRIES", " 20 ",
        "DCONT_MAX_LAYER_ENTRIES", "30");
    assertEquals(new UnpackLimits(UnpackLimits.DEFAULT.maxBytes(), 30, 1000, 20), UnpackLimits.from(env::get));
    assertEquals(UnpackLimits.DEFAULT, UnpackLimits.from(k -> null));
    LayerException e = assertThrows(LayerException.class,
        () -> UnpackLimits.from(Map.of("DCONT_MAX_IMAGE_BYTES", "-1")::get));
    assertTrue(e.getMessage().startsWith("environment DCONT_MAX_IMAGE_BYTES=-1: not a positive number"),
        e.getMessage());
  }
}
