package dev.dcont.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.MediaType;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unpacking images into snapshots: compressions, diff ID checks, sharing, parallel layers, sizes. */
class ImageUnpackerTest extends WithStore {
  private static byte[] tar(String name, String content) {
    return new TestLayers.Tar().file(name, content).bytes();
  }

  @Test
  void gzipZstdAndUncompressedLayersUnpack() throws IOException {
    byte[] a = tar("a", "gzip");
    byte[] b = tar("b", "zstd");
    byte[] c = tar("c", "none");
    ImageRecord img = TestLayers.saveImage(store, "test/x:1", List.of(TestLayers.Layer.gzip(a),
        new TestLayers.Layer(b, TestLayers.zstd(b), MediaType.OCI_LAYER_ZSTD),
        new TestLayers.Layer(c, c, MediaType.OCI_LAYER)));
    List<Snapshot> s = ImageUnpacker.ensureUnpacked(store, img, ImageUnpacker.Listener.NONE);
    assertEquals(3, s.size());
    assertEquals("gzip", Files.readString(s.get(0).fs(store.layout()).resolve("a")));
    assertEquals("zstd", Files.readString(s.get(1).fs(store.layout()).resolve("b")));
    assertEquals("none", Files.readString(s.get(2).fs(store.layout()).resolve("c")));
    assertEquals(s.get(0).chainId(), s.get(1).parent());
    assertEquals(img.layers().get(2).chainId(), s.get(2).chainId());
    assertEquals(1, s.get(0).files());
    assertTrue(Files.isSymbolicLink(store.layout().linksDir().resolve(s.get(2).link())));
  }

  @Test
  void diffIdMismatchDiscardsTheSnapshot() throws IOException {
    byte[] good = tar("f", "good");
    byte[] evil = tar("f", "evil");
    TestLayers.Layer lying = new TestLayers.Layer(good, TestLayers.gzip(evil), MediaType.OCI_LAYER_GZIP);
    ImageRecord img = TestLayers.saveImage(store, "test/bad:1", List.of(lying));
    LayerException e = assertThrows(LayerException.class,
        () -> ImageUnpacker.ensureUnpacked(store, img, ImageUnpacker.Listener.NONE));
    assertTrue(e.getMessage().contains("diff_id " + img.layers().get(0).diffId()), e.getMessage());
    assertTrue(SnapshotStore.of(store).committed().isEmpty());
    assertEquals(List.of(), Trees.list(store.layout().snapshotsDir()), "the temporary directory is gone");
  }

  @Test
  void hostileLayerInAnImageLeavesNothingBehind() throws IOException {
    byte[] t = new TestLayers.Tar().file("ok", "1").file("../../escape", "x").bytes();
    ImageRecord img = TestLayers.saveImage(store, "test/hostile:1", List.of(TestLayers.Layer.gzip(t)));
    LayerException e = assertThrows(LayerException.class,
        () -> ImageUnpacker.ensureUnpacked(store, img, ImageUnpacker.Listener.NONE));
    assertTrue(e.getMessage().startsWith("layer " + img.layers().get(0).digest() + ": entry '../../escape'"),
        e.getMessage());
    assertEquals(List.of(), Trees.list(store.layout().snapshotsDir()));
    assertFalse(Files.exists(dir.resolve("escape")));
    assertFalse(Files.exists(dir.resolve("store/escape")));
  }

  @Test
  void sharedLayerIsUnpackedOnce() throws IOException {
    TestLayers.Layer base = TestLayers.Layer.gzip(tar("base", "b"));
    ImageRecord one = TestLayers.saveImage(store, "test/one:1", List.of(base, TestLayers.Layer.gzip(tar("x", "1"))));
    ImageRecord two = TestLayers.saveImage(store, "test/two:1", List.of(base, TestLayers.Layer.gzip(tar("y", "2"))));
    List<Boolean> existed = new ArrayList<>();
    ImageUnpacker.ensureUnpacked(store, one, ImageUnpacker.Listener.NONE);
    ImageUnpacker.ensureUnpacked(store, two, new ImageUnpacker.Listener() {
      @Override
      public void unpacked(ImageRecord.Layer layer, Snapshot snapshot, boolean was) {
        existed.add(was);
      }
    });
    assertTrue(existed.contains(true) && existed.contains(false), existed.toString());
    assertEquals(3, SnapshotStore.of(store).committed().size());
  }

  @Test
  void manyLayersUnpackInParallel() throws IOException {
    List<TestLayers.Layer> layers = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      TestLayers.Tar t = new TestLayers.Tar();
      for (int f = 0; f < 50; f++) {
        t.file("d" + i + "/f" + f, "x".repeat(f * 100));
      }
      layers.add(TestLayers.Layer.gzip(t.bytes()));
    }
    ImageRecord img = TestLayers.saveImage(store, "test/many:1", layers);
    java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<Snapshot> s = ImageUnpacker.ensureUnpacked(store, img, new ImageUnpacker.Listener() {
      @Override
      public void unpacking(ImageRecord.Layer layer) {
        threads.add(Thread.currentThread().getName() + "@" + System.identityHashCode(Thread.currentThread()));
      }
    }, dev.dcont.layers.sys.NativeSyscalls.get(), UnpackLimits.DEFAULT, 4);
    assertEquals(12, s.size());
    assertTrue(threads.size() > 1, "more than one worker thread: " + threads);
    for (int i = 0; i < 12; i++) {
      assertEquals(51, s.get(i).files());
    }
  }

  @Test
  void recordedSizeMatchesDuApparentSize() throws Exception {
    TestLayers.Tar t = new TestLayers.Tar().dir("d", 0755).file("d/a", "x".repeat(5000)).file("d/b", "")
        .symlink("d/l", "a-long-target-name").hardlink("d/h", "d/a");
    for (int i = 0; i < 300; i++) {
      t.file("many/f" + i, "y".repeat(i));
    }
    ImageRecord img = TestLayers.saveImage(store, "test/du:1", List.of(TestLayers.Layer.gzip(t.bytes())));
    Snapshot s = ImageUnpacker.ensureUnpacked(store, img, ImageUnpacker.Listener.NONE).get(0);
    Process p = new ProcessBuilder("du", "-s", "-b", "--apparent-size", s.fs(store.layout()).toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    assertEquals(0, p.waitFor());
    assertEquals(Long.parseLong(out.split("\\s+")[0]), s.size(), out);
    assertEquals(300 + 6, s.files(), "d, its four entries, many and its files");
  }
}
