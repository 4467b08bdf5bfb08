package dev.dcont.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Overlay assembly, on the real kernel (root). */
class RootfsManagerTest {
  @TempDir
  Path dir;
  Store store;
  RootfsManager rootfs;
  final List<String> created = new ArrayList<>();

  @BeforeEach
  void open() {
    store = Store.open(dir.resolve("store"));
    rootfs = new RootfsManager(store);
  }

  @AfterEach
  void close() {
    for (String id : created) {
      try {
        rootfs.remove(id);
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
    store.close();
  }

  private String id(int n) {
    String id = String.format("%064x", n);
    created.add(id);
    return id;
  }

  @Test
  void mergedViewAppliesWhiteoutsAndOpaqueDirectories() throws IOException {
    TestLayers.requireRoot();
    TestLayers.Layer base = TestLayers.Layer.gzip(new TestLayers.Tar().dir("etc", 0755).file("etc/passwd", "root")
        .file("etc/shadow", "secret").dir("var/cache", 0755).file("var/cache/old1", "1").file("var/cache/old2", "2")
        .file("keep", "k").bytes());
    TestLayers.Layer mid = TestLayers.Layer.gzip(new TestLayers.Tar().file("etc/.wh.shadow", "")
        .file("etc/passwd", "root2").dir("var/cache", 0755).file("var/cache/.wh..wh..opq", "")
        .file("var/cache/new", "n").bytes());
    TestLayers.Layer top = new TestLayers.Layer(new TestLayers.Tar().file("added", "a").file(".wh.keep", "").bytes(),
        null, dev.dcont.store.model.MediaType.OCI_LAYER);
    top = new TestLayers.Layer(top.tar(), top.tar(), top.mediaType());
    ImageRecord img = TestLayers.saveImage(store, "test/merged:1", List.of(base, mid, top));
    String id = id(1);
    MountSpec spec = rootfs.prepare(id, img);
    assertEquals(3, spec.lowerLinks().size());
    Path root = rootfs.mount(id);
    assertEquals("root2", Files.readString(root.resolve("etc/passwd")));
    assertFalse(Files.exists(root.resolve("etc/shadow")), "whited out");
    assertEquals(List.of("new"), list(root.resolve("var/cache")), "opaque dir hides the lower entries");
    assertEquals("a", Files.readString(root.resolve("added")));
    assertFalse(Files.exists(root.resolve("keep")));
    Files.writeString(root.resolve("written"), "w");
    assertEquals("w", Files.readString(spec.upperDir().resolve("written")), "writes go to the upper dir");
    assertEquals(RootfsManager.MOUNTED, rootfs.find(id).orElseThrow().state());
    rootfs.unmount(id);
    assertFalse(Mounts.isMountPoint(root));
    assertEquals(RootfsManager.UNMOUNTED, rootfs.find(id).orElseThrow().state());
    rootfs.remove(id);
    assertFalse(Files.exists(store.layout().container(id)));
    assertTrue(rootfs.find(id).isEmpty());
  }

  @Test
  void oneLayerImageMountsTheSameWay() throws IOException {
    TestLayers.requireRoot();
    ImageRecord img = TestLayers.saveImage(store, "test/one:1",
        List.of(TestLayers.Layer.gzip(new TestLayers.Tar().file("bin/sh", "sh").bytes())));
    String id = id(2);
    rootfs.prepare(id, img);
    Path root = rootfs.mount(id);
    assertEquals("sh", Files.readString(root.resolve("bin/sh")));
    rootfs.remove(id);
  }

  @Test
  void fiveHundredLayerImageMounts() throws IOException {
    TestLayers.requireRoot();
    List<TestLayers.Layer> layers = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      byte[] t = new TestLayers.Tar().file("layer" + i, Integer.toString(i)).file("top", Integer.toString(i)).bytes();
      layers.add(new TestLayers.Layer(t, t, dev.dcont.store.model.MediaType.OCI_LAYER));
    }
    ImageRecord img = TestLayers.saveImage(store, "test/deep:500", layers);
    String id = id(3);
    MountSpec spec = rootfs.prepare(id, img);
    assertTrue(spec.options().length() < 4096, spec.options().length() + " bytes of options");
    Path root = rootfs.mount(id);
    assertEquals("499", Files.readString(root.resolve("top")));
    assertEquals("0", Files.readString(root.resolve("layer0")));
    assertEquals("250", Files.readString(root.resolve("layer250")));
    rootfs.remove(id);
  }

  @Test
  void mountOptionsUseShortLinksAndRelativePaths() throws IOException {
    LayerApplierTest.RecordingSyscalls rec = new LayerApplierTest.RecordingSyscalls();
    byte[] t = new TestLayers.Tar().file("a", "a").bytes();
    ImageRecord img = TestLayers.saveImage(store, "test/opts:1", List.of(
        new TestLayers.Layer(t, t, dev.dcont.store.model.MediaType.OCI_LAYER)));
    RootfsManager fake = new RootfsManager(store, rec);
    String id = id(4);
    MountSpec spec = fake.prepare(id, img);
    assertEquals("lowerdir=1,upperdir=../containers/" + id + "/upper,workdir=../containers/" + id + "/work",
        spec.options());
    fake.mount(id);
    assertEquals("mount overlay " + spec.target() + " " + spec.options() + " in " + store.layout().linksDir(),
        rec.calls.get(0));
    assertEquals(Files.readSymbolicLink(store.layout().linksDir().resolve("1")).toString(), "../snapshots/1/fs");
  }

  private static List<String> list(Path d) throws IOException {
    try (var s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
