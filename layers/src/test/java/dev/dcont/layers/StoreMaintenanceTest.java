package dev.dcont.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.db.ImageRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Disk usage, prune, check and the diff/wasted-space view. */
class StoreMaintenanceTest extends WithStore {
  private ImageRecord image(String ref, TestLayers.Layer... layers) throws IOException {
    ImageRecord img = TestLayers.saveImage(store, ref, List.of(layers));
    ImageUnpacker.ensureUnpacked(store, img, ImageUnpacker.Listener.NONE);
    return img;
  }

  private static TestLayers.Layer layer(String name, int bytes) throws IOException {
    return TestLayers.Layer.gzip(new TestLayers.Tar().file(name, "z".repeat(bytes)).bytes());
  }

  @Test
  void dfCountsSharedAndUniqueBytesAndMatchesDu() throws Exception {
    TestLayers.Layer base = layer("base", 10_000);
    ImageRecord a = image("test/a:1", base, layer("a", 3000));
    ImageRecord b = image("test/b:1", base, layer("b", 5000));
    DiskUsage.Report r = DiskUsage.compute(store);
    assertEquals(2, r.images().size());
    DiskUsage.ImageUsage ua = r.images().stream().filter(u -> u.image().equals(a)).findFirst().orElseThrow();
    Snapshot baseSnap = SnapshotStore.of(store).get(a.layers().get(0).chainId()).orElseThrow();
    assertEquals(baseSnap.size() + a.layers().get(0).size(), ua.shared());
    assertEquals(ua.size(), ua.shared() + ua.unique());
    long snapTotal = 0;
    for (Snapshot s : SnapshotStore.of(store).committed().values()) {
      snapTotal += s.size();
    }
    Process p = new ProcessBuilder("du", "-s", "-b", "--apparent-size", "-c").command(List.of("sh", "-c",
        "du -scb --apparent-size " + store.layout().snapshotsDir() + "/*/fs | tail -1")).start();
    long du = Long.parseLong(new String(p.getInputStream().readAllBytes()).trim().split("\\s+")[0]);
    p.waitFor();
    assertEquals(du, snapTotal, "snapshot bytes agree with du --apparent-size");
    DiskUsage.Summary layers = r.summary().get(1);
    assertEquals(3, layers.total());
    assertEquals(snapTotal, layers.size());
    assertEquals(0, layers.reclaimable());
    assertEquals(r.total(), r.shared() + r.unique());
    assertTrue(r.reclaimable() > 0 && r.reclaimable() <= r.total());
    assertTrue(b.layers().size() == 2);
  }

  @Test
  void dfCountsASharedBaseLayerOnceAcrossTwentyImages() throws IOException {
    TestLayers.Layer base = layer("base", 1000);
    for (int i = 0; i < 20; i++) {
      image("test/img" + i + ":1", base, layer("f" + i, i * 10), layer("g" + i, 7));
    }
    // its speed (<= 150 ms) is measured by bench/df, not here
    DiskUsage.Report r = DiskUsage.compute(store);
    assertEquals(20, r.images().size());
    assertTrue(r.shared() > 0, "the base layer is shared");
    assertEquals(r.total(), r.shared() + r.unique());
  }

  @Test
  void pruneRemovesUnreferencedSnapshotsBlobsAndLeftovers() throws IOException {
    ImageRecord keep = image("test/keep:1", layer("k", 100));
    ImageRecord gone = image("test/gone:1", layer("g", 2000));
    store.images().delete(gone.manifestDigest());
    // a layer whose unpack was cut short by a crash: its directory, which no process knows any more
    Path fs = SnapshotStore.of(store).prepare(Snapshotter.extractKey(), null, null).upperDir();
    Path tmp = fs.getParent();
    Files.writeString(fs.resolve("half"), "written before a crash");
    Path orphan = Files.createDirectories(store.layout().snapshotsDir().resolve("999/fs"));
    Files.createDirectories(store.layout().ingestDir());
    Files.writeString(store.layout().ingestDir().resolve("ab".repeat(32) + ".partial"), "partial");
    String cid = "c".repeat(64);
    Files.createDirectories(store.layout().container(cid).resolve("upper"));

    StoreChecker.Report before = StoreChecker.check(store, true);
    assertTrue(before.ok(), before.problems().toString());
    assertTrue(before.notes().size() >= 4, before.notes().toString());

    StorePruner.Result r = StorePruner.prune(store);
    assertEquals(1, r.snapshots());
    assertEquals(2, r.leftovers());
    assertTrue(r.blobs().contains(gone.layers().get(0).digest()));
    assertTrue(r.blobs().contains(gone.configDigest()));
    assertEquals(7, r.ingestBytes());
    assertEquals(1, r.containers());
    assertFalse(Files.exists(tmp));
    assertFalse(Files.exists(orphan));
    assertFalse(Files.exists(store.layout().container(cid)));
    assertTrue(SnapshotStore.of(store).get(keep.layers().get(0).chainId()).isPresent());
    assertTrue(store.content().exists(keep.layers().get(0).digest()));
    StoreChecker.Report after = StoreChecker.check(store, true);
    assertTrue(after.ok() && after.notes().isEmpty(), after.toString());
  }

  /** A snapshot another one stacks on is removed only after it (the snapshotter refuses otherwise). */
  @Test
  void pruneRemovesAStackOfUnusedSnapshotsChildrenFirstAndKeepsASharedBase() throws IOException {
    TestLayers.Layer base = layer("base", 100);
    ImageRecord keep = image("test/keep:1", base);
    ImageRecord gone = image("test/gone:1", base, layer("mid", 200), layer("top", 300));
    store.images().delete(gone.manifestDigest());
    StorePruner.Result r = StorePruner.prune(store);
    assertEquals(2, r.snapshots());
    assertEquals(java.util.Set.of(keep.layers().get(0).chainId()), SnapshotStore.of(store).committed().keySet());
    assertTrue(StoreChecker.check(store, true).notes().isEmpty());
  }

  @Test
  void checkFindsCorruptBlobsAndMissingSnapshotDirectories() throws IOException {
    ImageRecord img = image("test/c:1", layer("c", 100));
    Path blob = store.layout().blob(img.layers().get(0).digest());
    Files.write(blob, new byte[] {1, 2, 3});
    Snapshot s = SnapshotStore.of(store).get(img.layers().get(0).chainId()).orElseThrow();
    Trees.deleteTree(s.dir(store.layout()));
    StoreChecker.Report r = StoreChecker.check(store, true);
    assertFalse(r.ok());
    assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("blob " + img.layers().get(0).digest())), r.toString());
    assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("snapshot " + s.chainId())), r.toString());
  }

  @Test
  void diffShowsAddedChangedDeletedAndWastedBytes() throws IOException {
    TestLayers.Layer l0 = TestLayers.Layer.gzip(new TestLayers.Tar().file("etc/big", "b".repeat(1000))
        .file("etc/conf", "c".repeat(10)).file("var/cache/x", "x".repeat(300)).file("var/cache/y", "y".repeat(200))
        .bytes());
    TestLayers.Layer l1 = TestLayers.Layer.gzip(new TestLayers.Tar().file("etc/.wh.big", "")
        .file("etc/conf", "C".repeat(20)).file("var/cache/.wh..wh..opq", "").file("new", "n").bytes());
    ImageRecord img = TestLayers.saveImage(store, "test/diff:1", List.of(l0, l1),
        List.of("ADD base", "RUN rm /etc/big"));
    LayerInspector.ImageDiff d = new LayerInspector(store).diff(img);
    LayerInspector.LayerDiff top = d.layers().get(1);
    List<String> changes = new ArrayList<>();
    top.changes().forEach(c -> changes.add(c.kind() + " " + c.path()));
    assertTrue(changes.contains("DELETED etc/big"), changes.toString());
    assertTrue(changes.contains("CHANGED etc/conf"), changes.toString());
    assertTrue(changes.contains("ADDED new"), changes.toString());
    assertTrue(changes.contains("DELETED var/cache/x") && changes.contains("DELETED var/cache/y"), changes.toString());
    assertEquals(1000 + 10 + 300 + 200, d.layers().get(0).wastedBytes());
    assertEquals(1510, d.wastedBytes());
    assertEquals("RUN rm /etc/big", top.createdBy());
    assertEquals("etc/big", d.wasted().get(0).path());
  }

  @Test
  void layersAndHistoryPairHistoryEntriesWithLayers() throws IOException {
    ImageRecord img = image("test/h:1", layer("a", 10), layer("b", 20));
    LayerInspector in = new LayerInspector(store);
    List<LayerInspector.LayerInfo> ls = in.layers(img);
    assertEquals("/bin/sh -c #(nop) ADD layer1", ls.get(1).createdBy());
    assertEquals(1L, ls.get(1).files());
    assertTrue(ls.get(0).unpackedSize() > 10);
    assertEquals(2, in.history(img).size());
  }
}
