package dev.dcont.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.Store;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The semantics of {@link Snapshotter} (containerd's), on {@link SnapshotStore}. */
class SnapshotterTest {
  @TempDir
  Path dir;
  Store store;
  Snapshotter snapshots;
  final List<String> roots = new ArrayList<>();

  @BeforeEach
  void open() {
    store = Store.open(dir.resolve("store"));
    snapshots = SnapshotStore.of(store);
  }

  @AfterEach
  void close() {
    RootfsManager rootfs = new RootfsManager(store);
    for (String key : roots) {
      try {
        rootfs.remove(key);
      } catch (RuntimeException ignored) {
        // best effort: the test may have removed it
      }
    }
    store.close();
  }

  private static final List<ChainId> CHAIN = ChainId.of(List.of(Digest.sha256("base"), Digest.sha256("middle"),
      Digest.sha256("top")));

  private String rootKey(int n) {
    String key = String.format("%064x", n);
    roots.add(key);
    return key;
  }

  /** Unpacks a "layer" of the given files as containerd's unpacker does: prepare, write, commit. */
  private Snapshot layer(int index, String... files) throws IOException {
    String key = Snapshotter.extractKey();
    Path fs = snapshots.prepare(key, index == 0 ? null : CHAIN.get(index - 1).toString(), null).upperDir();
    for (String f : files) {
      Files.writeString(fs.resolve(f), "content of " + f);
    }
    SnapshotStore.Measure m = SnapshotStore.measure(fs);
    return snapshots.commit(CHAIN.get(index).toString(), key,
        new Snapshotter.Layer(Digest.sha256("diff" + index), null, new Snapshotter.Usage(m.size(), m.files())));
  }

  @Test
  void prepareOfAnActiveKeyTwiceFails() throws IOException {
    String key = Snapshotter.extractKey();
    snapshots.prepare(key, null, null);
    LayerException e = assertThrows(LayerException.class, () -> snapshots.prepare(key, null, null));
    assertTrue(e.getMessage().contains("exists already"), e.getMessage());
    layer(0, "a");
    String root = rootKey(1);
    snapshots.prepare(root, CHAIN.get(0).toString(), null);
    e = assertThrows(LayerException.class, () -> snapshots.prepare(root, CHAIN.get(0).toString(), null));
    assertTrue(e.getMessage().contains("exists already"), e.getMessage());
  }

  @Test
  void commitMakesACommittedSnapshotUsableAsAParentAndEndsTheActiveOne() throws IOException {
    String key = Snapshotter.extractKey();
    Path fs = snapshots.prepare(key, null, null).upperDir();
    assertEquals(Snapshotter.Kind.ACTIVE, snapshots.stat(key).orElseThrow().kind());
    Files.writeString(fs.resolve("a"), "a");
    Snapshot base = snapshots.commit(CHAIN.get(0).toString(), key, new Snapshotter.Layer(Digest.sha256("diff0"),
        null, new Snapshotter.Usage(1, 1)));
    assertTrue(snapshots.stat(key).isEmpty(), "the active snapshot is gone");
    assertFalse(Files.exists(fs), "its directory became the committed one");
    assertEquals(new Snapshotter.Info(Snapshotter.Kind.COMMITTED, CHAIN.get(0).toString(), null, base.created()),
        snapshots.stat(CHAIN.get(0).toString()).orElseThrow());
    assertEquals("a", Files.readString(base.fs(store.layout()).resolve("a")));

    // a container's root cannot stack on what is not committed, and can on what is
    String root = rootKey(2);
    LayerException e = assertThrows(LayerException.class,
        () -> snapshots.prepare(root, CHAIN.get(1).toString(), null));
    assertTrue(e.getMessage().contains("not a committed snapshot"), e.getMessage());
    Snapshot mid = layer(1, "b");
    assertEquals(CHAIN.get(0), mid.parent(), "committed with the parent it was prepared with");
    MountSpec spec = snapshots.prepare(root, CHAIN.get(1).toString(), Digest.sha256("image"));
    assertEquals(List.of(mid.fs(store.layout()), base.fs(store.layout())), spec.lowerDirs(), "top first");
    assertEquals(spec, snapshots.mounts(root));
    assertEquals(new Snapshotter.Info(Snapshotter.Kind.ACTIVE, root, CHAIN.get(1).toString(),
        snapshots.stat(root).orElseThrow().created()), snapshots.stat(root).orElseThrow());
    e = assertThrows(LayerException.class, () -> snapshots.commit(CHAIN.get(2).toString(), root,
        new Snapshotter.Layer(Digest.sha256("diff2"), null, new Snapshotter.Usage(0, 0))));
    assertTrue(e.getMessage().contains("not committed"), e.getMessage());
  }

  @Test
  void aNameCommittedByAnotherProcessFailsTheCommitAndLeavesTheActiveSnapshot() throws IOException {
    Snapshot first = layer(0, "a");
    Snapshotter other = SnapshotStore.of(store); // another unpacker of the same layer
    String key = Snapshotter.extractKey();
    Path fs = other.prepare(key, null, null).upperDir();
    assertThrows(Snapshotter.ExistsException.class, () -> other.commit(CHAIN.get(0).toString(), key,
        new Snapshotter.Layer(Digest.sha256("diff0"), null, new Snapshotter.Usage(0, 0))));
    assertTrue(Files.isDirectory(fs), "left for the caller to remove");
    other.remove(key);
    assertFalse(Files.exists(fs.getParent()));
    assertEquals(first, other.get(CHAIN.get(0)).orElseThrow());
  }

  @Test
  void removeOfAParentInUseFailsUntilItsChildrenAreGone() throws IOException {
    Snapshot base = layer(0, "a");
    Snapshot mid = layer(1, "b");
    Snapshotter.InUseException e = assertThrows(Snapshotter.InUseException.class,
        () -> snapshots.remove(CHAIN.get(0).toString()));
    assertTrue(e.getMessage().contains("snapshot " + CHAIN.get(1) + " stacks on it"), e.getMessage());
    String root = rootKey(3);
    snapshots.prepare(root, CHAIN.get(1).toString(), null);
    e = assertThrows(Snapshotter.InUseException.class, () -> snapshots.remove(CHAIN.get(1).toString()));
    assertTrue(e.getMessage().contains("container " + root.substring(0, 12)), e.getMessage());
    assertTrue(Files.isDirectory(mid.fs(store.layout())), "nothing of it removed");

    snapshots.remove(root);
    assertFalse(Files.exists(store.layout().container(root)));
    snapshots.remove(CHAIN.get(1).toString());
    snapshots.remove(CHAIN.get(0).toString());
    assertTrue(snapshots.committed().isEmpty());
    assertFalse(Files.exists(base.dir(store.layout())));
    assertFalse(Files.exists(base.linkPath(store.layout()), java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void removeUnlessInUseIsDecidedWithTheRemoval() throws IOException {
    layer(0, "a");
    assertFalse(snapshots.removeUnless(CHAIN.get(0).toString(), () -> true));
    assertTrue(snapshots.get(CHAIN.get(0)).isPresent());
    assertTrue(snapshots.removeUnless(CHAIN.get(0).toString(), () -> false));
    assertTrue(snapshots.get(CHAIN.get(0)).isEmpty());
  }

  @Test
  void usageMatchesTheFiles() throws IOException {
    Snapshot base = layer(0, "a", "bb", "ccc");
    SnapshotStore.Measure walked = SnapshotStore.measure(base.fs(store.layout()));
    assertEquals(new Snapshotter.Usage(walked.size(), walked.files()), snapshots.usage(CHAIN.get(0).toString()));
    assertEquals(3, walked.files());

    String key = Snapshotter.extractKey();
    Path fs = snapshots.prepare(key, null, null).upperDir();
    assertEquals(0, snapshots.usage(key).inodes(), "only its root");
    Files.writeString(fs.resolve("x"), "12345");
    Files.createDirectories(fs.resolve("d"));
    Files.createLink(fs.resolve("d/hardlink"), fs.resolve("x"));
    SnapshotStore.Measure m = SnapshotStore.measure(fs);
    assertEquals(3, m.files());
    assertEquals(new Snapshotter.Usage(m.size(), 3), snapshots.usage(key));

    // a container's root counts its own changes (its upper directory), not its parents'
    String root = rootKey(4);
    MountSpec spec = snapshots.prepare(root, CHAIN.get(0).toString(), null);
    long empty = snapshots.usage(root).size();
    Files.writeString(spec.upperDir().resolve("written"), "0123456789");
    assertEquals(new Snapshotter.Usage(empty + 10, 1), snapshots.usage(root));
  }

  @Test
  void walkListsEverySnapshotWithItsKindAndParent() throws IOException {
    layer(0, "a");
    layer(1, "b");
    String root = rootKey(5);
    String view = rootKey(6);
    snapshots.prepare(root, CHAIN.get(1).toString(), null);
    snapshots.view(view, CHAIN.get(0).toString());
    String key = Snapshotter.extractKey();
    snapshots.prepare(key, CHAIN.get(1).toString(), null);
    List<String> seen = new ArrayList<>();
    snapshots.walk(i -> seen.add(i.kind() + " " + i.name() + " " + i.parent()));
    assertEquals(List.of("COMMITTED " + CHAIN.get(0) + " null", "COMMITTED " + CHAIN.get(1) + " " + CHAIN.get(0),
        "ACTIVE " + root + " " + CHAIN.get(1), "VIEW " + view + " " + CHAIN.get(0),
        "ACTIVE " + key + " " + CHAIN.get(1)), seen);
  }

  @Test
  void aViewIsReadOnlyAndCannotBeCommitted() throws IOException {
    TestLayers.requireRoot();
    layer(0, "a");
    layer(1, "b");
    RootfsManager rootfs = new RootfsManager(store);
    for (int top = 0; top <= 1; top++) {
      String view = rootKey(10 + top);
      MountSpec spec = snapshots.view(view, CHAIN.get(top).toString());
      assertTrue(spec.readOnly());
      LayerException e = assertThrows(LayerException.class, () -> snapshots.commit(CHAIN.get(2).toString(), view,
          new Snapshotter.Layer(Digest.sha256("diff2"), null, new Snapshotter.Usage(0, 0))));
      assertTrue(e.getMessage().contains("a view cannot be committed"), e.getMessage());
      Path mounted = rootfs.mount(view);
      try {
        assertEquals(Snapshotter.Kind.VIEW, snapshots.stat(view).orElseThrow().kind(), "mounted, still a view");
        assertEquals("content of a", Files.readString(mounted.resolve("a")));
        assertEquals(top == 1, Files.exists(mounted.resolve("b")));
        FileSystemException w = assertThrows(FileSystemException.class,
            () -> Files.writeString(mounted.resolve("new"), "x"));
        assertTrue(w instanceof AccessDeniedException || String.valueOf(w.getReason()).contains("Read-only"),
            w.toString());
      } finally {
        rootfs.remove(view);
      }
      assertFalse(Mounts.isMountPoint(mounted));
      assertEquals(List.of("a"), list(snapshots.get(CHAIN.get(0)).orElseThrow().fs(store.layout())),
          "nothing reached the layers");
    }
  }

  private static List<String> list(Path d) throws IOException {
    try (var s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
