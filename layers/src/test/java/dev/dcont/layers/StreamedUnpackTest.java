package dev.dcont.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.MediaType;
import dev.dcont.testkit.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Unpacking a layer from the bytes of its download: the snapshot equals one unpacked from the blob, and it is
 * recorded only after the download says the blob is verified; an aborted download or a bad layer leaves
 * nothing and never holds the download back.
 */
class StreamedUnpackTest extends WithStore {
  /** A layer with every kind of entry and a file bigger than the pipe's buffers. */
  private static byte[] richTar() throws IOException {
    byte[] big = new byte[12_000_000];
    new Random(3).nextBytes(big);
    TestLayers.Tar t = new TestLayers.Tar().dir("etc", 0755)
        .file("etc/owned", "by 1000".getBytes(), 04750, e -> {
          e.setUserId(1000);
          e.setGroupId(1000);
          e.setModTime(1_600_000_000_000L);
        })
        .file("bin/big", big, 0755, e -> { }).symlink("bin/sh", "big").hardlink("bin/big2", "bin/big")
        .dir("tmp", 01777).file("usr/share/doc/empty", "");
    for (int i = 0; i < 500; i++) {
      t.file("usr/lib/f" + i, "x".repeat(i * 7));
    }
    return t.bytes();
  }

  private static ImageRecord.Layer layer(byte[] tar, byte[] blob, MediaType type) {
    Digest diff = Digest.sha256(tar);
    return new ImageRecord.Layer(0, Digest.sha256(blob), diff, ChainId.of(List.of(diff)).get(0), type, blob.length);
  }

  /** Writes {@code blob} to the feed in uneven pieces, as a download does. */
  private static void feed(ImageUnpacker.Feed f, byte[] blob) throws IOException {
    Random r = new Random(11);
    int off = 0;
    while (off < blob.length) {
      int n = Math.min(blob.length - off, 1 + r.nextInt(200_000));
      f.write(blob, off, n);
      off += n;
    }
  }

  /** Waits for the feeds' unpacks; returns the snapshots they recorded. */
  private static List<Snapshot> results(ImageUnpacker.Feed... feeds) {
    List<Snapshot> out = new java.util.ArrayList<>();
    for (ImageUnpacker.Feed f : feeds) {
      f.await();
      f.result().ifPresent(out::add);
    }
    return out;
  }

  @Test
  void layerStreamedFromItsDownloadEqualsTheOneUnpackedFromTheBlob() throws Exception {
    TestLayers.requireRoot();
    byte[] tar = richTar();
    byte[] blob = TestLayers.gzip(tar);
    ImageRecord.Layer l = layer(tar, blob, MediaType.OCI_LAYER_GZIP);
    Snapshot streamed;
    try (ImageUnpacker s = new ImageUnpacker(store, ImageUnpacker.Listener.NONE)) {
      ImageUnpacker.Feed f = s.stream(l, null);
      feed(f, blob);
      f.verified();
      List<Snapshot> done = results(f);
      assertEquals(1, done.size(), String.valueOf(f.failure()));
      streamed = done.get(0);
    }
    assertEquals(l.chainId(), streamed.chainId());
    assertEquals(l.digest(), streamed.layerDigest());

    try (Store other = Store.open(dir.resolve("other"))) {
      ImageRecord img = TestLayers.saveImage(other, "test/rich:1", List.of(TestLayers.Layer.gzip(tar)));
      Snapshot fromBlob = ImageUnpacker.ensureUnpacked(other, img, ImageUnpacker.Listener.NONE).get(0);
      assertEquals(fromBlob.chainId(), streamed.chainId());
      assertEquals(fromBlob.size(), streamed.size());
      assertEquals(fromBlob.files(), streamed.files());
      assertEquals(tree(fromBlob.fs(other.layout())), tree(streamed.fs(store.layout())));
    }
  }

  @Test
  void concatenatedGzipMembersStreamLikeAFile() throws Exception {
    byte[] tar = new TestLayers.Tar().file("a", "first half").file("b", "x".repeat(100_000)).bytes();
    int half = tar.length / 2;
    ByteArrayOutputStream two = new ByteArrayOutputStream();
    two.write(TestLayers.gzip(java.util.Arrays.copyOfRange(tar, 0, half)));
    two.write(TestLayers.gzip(java.util.Arrays.copyOfRange(tar, half, tar.length)));
    byte[] blob = two.toByteArray();
    ImageRecord.Layer l = layer(tar, blob, MediaType.OCI_LAYER_GZIP);
    try (ImageUnpacker s = new ImageUnpacker(store, ImageUnpacker.Listener.NONE)) {
      ImageUnpacker.Feed f = s.stream(l, null);
      feed(f, blob);
      f.verified();
      assertEquals(1, results(f).size(), String.valueOf(f.failure()));
    }
    Snapshot snap = SnapshotStore.of(store).get(l.chainId()).orElseThrow();
    assertEquals("x".repeat(100_000), Files.readString(snap.fs(store.layout()).resolve("b")));
  }

  /**
   * Waits until the unpack thread of {@code l} has read every byte written so far and waits for more (in its
   * {@link DownloadPipe}): all it can do before the verdict on the blob is done.
   */
  private static void awaitAllRead(ImageRecord.Layer l) throws Exception {
    String name = "unpack-stream " + l.digest().shortHex();
    Poll.until(name + " to wait for more of the blob", Duration.ofSeconds(10), () -> {
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().equals(name) && t.getState() != Thread.State.RUNNABLE
            && java.util.Arrays.stream(t.getStackTrace())
                .anyMatch(f -> f.getClassName().equals(DownloadPipe.class.getName()))) {
          return true;
        }
      }
      return false;
    });
  }

  @Test
  void snapshotIsRecordedOnlyAfterTheDownloadIsVerified() throws Exception {
    byte[] tar = new TestLayers.Tar().file("f", "content").bytes();
    byte[] blob = TestLayers.gzip(tar);
    ImageRecord.Layer l = layer(tar, blob, MediaType.OCI_LAYER_GZIP);
    try (ImageUnpacker s = new ImageUnpacker(store, ImageUnpacker.Listener.NONE)) {
      ImageUnpacker.Feed f = s.stream(l, null);
      f.write(blob, 0, blob.length);
      awaitAllRead(l);
      // the whole blob is read; the unpack waits for the verdict on it
      assertTrue(SnapshotStore.of(store).committed().isEmpty(), "nothing recorded before the blob is verified");
      assertEquals(1, Trees.list(store.layout().snapshotsDir()).size(), "only the temporary directory");
      f.verified();
      assertEquals(1, results(f).size());
    }
    assertTrue(SnapshotStore.of(store).get(l.chainId()).isPresent());
  }

  @Test
  void abortedDownloadLeavesNoSnapshotEvenWhenEveryByteArrived() throws Exception {
    byte[] tar = new TestLayers.Tar().file("f", "content").bytes();
    byte[] blob = TestLayers.gzip(tar);
    ImageRecord.Layer l = layer(tar, blob, MediaType.OCI_LAYER_GZIP);
    try (ImageUnpacker s = new ImageUnpacker(store, ImageUnpacker.Listener.NONE)) {
      ImageUnpacker.Feed f = s.stream(l, null);
      f.write(blob, 0, blob.length);
      awaitAllRead(l);
      f.abort(new IOException("blob sha256:…: content has digest sha256:…"));
      assertEquals(List.of(), results(f));
      assertNotNull(f.failure());
    }
    assertTrue(SnapshotStore.of(store).committed().isEmpty());
    assertEquals(List.of(), Trees.list(store.layout().snapshotsDir()), "the temporary directory is gone");
  }

  @Test
  void pullThatEndsWithoutAVerdictAbortsOnClose() throws Exception {
    byte[] tar = new TestLayers.Tar().file("f", "content").bytes();
    byte[] blob = TestLayers.gzip(tar);
    ImageRecord.Layer l = layer(tar, blob, MediaType.OCI_LAYER_GZIP);
    try (ImageUnpacker s = new ImageUnpacker(store, ImageUnpacker.Listener.NONE)) {
      s.stream(l, null).write(blob, 0, blob.length / 2);
    }
    assertTrue(SnapshotStore.of(store).committed().isEmpty());
    assertEquals(List.of(), Trees.list(store.layout().snapshotsDir()));
  }

  @Test
  void refusedLayerNeverHoldsTheDownloadBack() throws Exception {
    byte[] junk = new byte[30_000_000];
    new Random(5).nextBytes(junk);
    byte[] tar = new TestLayers.Tar().file("../escape", "x").file("junk", junk, 0644, e -> { }).bytes();
    byte[] blob = TestLayers.gzip(tar);
    ImageRecord.Layer l = layer(tar, blob, MediaType.OCI_LAYER_GZIP);
    try (ImageUnpacker s = new ImageUnpacker(store, ImageUnpacker.Listener.NONE)) {
      ImageUnpacker.Feed f = s.stream(l, null);
      // far more than the pipe holds, after the unpacker refused the first entry
      assertTimeoutPreemptively(Duration.ofSeconds(20), () -> feed(f, blob));
      f.verified();
      assertEquals(List.of(), results(f));
      assertTrue(f.failure().getMessage().contains("'../escape'"), f.failure().getMessage());
    }
    assertTrue(SnapshotStore.of(store).committed().isEmpty());
    assertEquals(List.of(), Trees.list(store.layout().snapshotsDir()));
    assertTrue(Files.notExists(dir.resolve("escape")) && Files.notExists(dir.resolve("store/escape")));
  }

  @Test
  void diffIdMismatchOfAVerifiedBlobRecordsNothing() throws Exception {
    byte[] good = new TestLayers.Tar().file("f", "good").bytes();
    byte[] evil = TestLayers.gzip(new TestLayers.Tar().file("f", "evil").bytes());
    ImageRecord.Layer l = layer(good, evil, MediaType.OCI_LAYER_GZIP);
    try (ImageUnpacker s = new ImageUnpacker(store, ImageUnpacker.Listener.NONE)) {
      ImageUnpacker.Feed f = s.stream(l, null);
      f.write(evil, 0, evil.length);
      f.verified();
      assertEquals(List.of(), results(f));
      assertTrue(f.failure().getMessage().contains("diff_id " + l.diffId()), f.failure().getMessage());
    }
    assertTrue(SnapshotStore.of(store).committed().isEmpty());
    assertEquals(List.of(), Trees.list(store.layout().snapshotsDir()));
  }

  @Test
  void layerWithASnapshotAlreadyIsNotStreamedAgain() throws Exception {
    byte[] tar = new TestLayers.Tar().file("f", "once").bytes();
    ImageRecord img = TestLayers.saveImage(store, "test/once:1", List.of(TestLayers.Layer.gzip(tar)));
    ImageUnpacker.ensureUnpacked(store, img, ImageUnpacker.Listener.NONE);
    try (ImageUnpacker s = new ImageUnpacker(store, ImageUnpacker.Listener.NONE)) {
      assertNull(s.stream(img.layers().get(0), null));
    }
  }

  @Test
  void oneUnpackTakesTheStreamedLayersAndUnpacksTheOthersFromTheirBlobs() throws Exception {
    byte[] a = new TestLayers.Tar().file("a", "streamed").bytes();
    byte[] b = new TestLayers.Tar().file("b", "from the blob").bytes();
    ImageRecord img = TestLayers.saveImage(store, "test/two:1",
        List.of(TestLayers.Layer.gzip(a), TestLayers.Layer.gzip(b)));
    ImageRecord.Layer first = img.layers().get(0);
    List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    ImageUnpacker.Listener listener = new ImageUnpacker.Listener() {
      @Override
      public void unpacking(ImageRecord.Layer layer) {
        seen.add("from blob " + layer.position());
      }

      @Override
      public void unpacked(ImageRecord.Layer layer, Snapshot snapshot, boolean existed) {
        seen.add("unpacked " + layer.position() + (existed ? " (existed)" : ""));
      }
    };
    List<Snapshot> snaps;
    try (ImageUnpacker u = new ImageUnpacker(store, listener)) {
      ImageUnpacker.Feed f = u.stream(first, null);
      byte[] blob = store.content().readAll(first.digest());
      f.write(blob, 0, blob.length);
      f.verified();
      snaps = u.unpack(img);
    }
    assertEquals(List.of("unpacked 0", "from blob 1", "unpacked 1"), seen, "the streamed layer is not unpacked again");
    assertEquals(img.layers().stream().map(ImageRecord.Layer::chainId).toList(),
        snaps.stream().map(Snapshot::chainId).toList());
    assertEquals("from the blob", Files.readString(snaps.get(1).fs(store.layout()).resolve("b")));
  }

  @Test
  void aRefusalFromTheBlobsRemovesTheLayersStreamedForTheSameImage() throws Exception {
    byte[] a = new TestLayers.Tar().file("a1", "x").file("a2", "x").file("a3", "x").bytes();
    byte[] b = new TestLayers.Tar().file("b1", "x").file("b2", "x").file("b3", "x").bytes();
    ImageRecord img = TestLayers.saveImage(store, "test/limit:1",
        List.of(TestLayers.Layer.gzip(a), TestLayers.Layer.gzip(b)));
    ImageRecord.Layer first = img.layers().get(0);
    // each layer is under both limits; together they are over the image's 5 entries
    UnpackLimits limits = new UnpackLimits(1 << 20, 10, 1 << 30, 5);
    try (ImageUnpacker u = new ImageUnpacker(store, ImageUnpacker.Listener.NONE, null, limits, 1)) {
      ImageUnpacker.Feed f = u.stream(first, null);
      byte[] blob = store.content().readAll(first.digest());
      f.write(blob, 0, blob.length);
      f.verified();
      f.await();
      assertTrue(f.result().isPresent(), String.valueOf(f.failure()));
      LayerException e = assertThrows(LayerRefusedException.class, () -> u.unpack(img));
      assertTrue(e.getMessage().contains("raise DCONT_MAX_IMAGE_ENTRIES"), e.getMessage());
    }
    assertTrue(SnapshotStore.of(store).committed().isEmpty(), "the streamed layer's snapshot went with the refusal");
    assertEquals(List.of(), Trees.list(store.layout().snapshotsDir()));
  }

  @Test
  void zstdAndUncompressedLayersStreamToo() throws Exception {
    byte[] a = new TestLayers.Tar().file("z", "zstd").bytes();
    byte[] b = new TestLayers.Tar().file("n", "none").bytes();
    byte[] za = TestLayers.zstd(a);
    ImageRecord.Layer la = layer(a, za, MediaType.OCI_LAYER_ZSTD);
    Digest db = Digest.sha256(b);
    ImageRecord.Layer lb = new ImageRecord.Layer(1, db, db, ChainId.of(List.of(la.diffId(), db)).get(1),
        MediaType.OCI_LAYER, b.length);
    try (ImageUnpacker s = new ImageUnpacker(store, ImageUnpacker.Listener.NONE)) {
      ImageUnpacker.Feed fa = s.stream(la, null);
      ImageUnpacker.Feed fb = s.stream(lb, la.chainId());
      fb.write(b, 0, b.length);
      fa.write(za, 0, za.length);
      fb.verified();
      fa.verified();
      assertEquals(2, results(fa, fb).size());
    }
    Snapshot sb = SnapshotStore.of(store).get(lb.chainId()).orElseThrow();
    assertEquals(la.chainId(), sb.parent());
    assertEquals("none", Files.readString(sb.fs(store.layout()).resolve("n")));
  }

  /** Every entry below {@code root}: type, mode, owner, size, mtime, link target and content digest. */
  static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,nlink",
            LinkOption.NOFOLLOW_LINKS);
        StringBuilder d = new StringBuilder();
        d.append(Integer.toOctalString((Integer) a.get("mode"))).append(' ').append(a.get("uid")).append(':')
            .append(a.get("gid")).append(" nlink=").append(a.get("nlink"));
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          d.append(" size=").append(a.get("size")).append(" mtime=").append(a.get("lastModifiedTime"));
        }
        if (Files.isSymbolicLink(p)) {
          d.append(" -> ").append(Files.readSymbolicLink(p));
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          d.append(' ').append(Digest.sha256(Files.readAllBytes(p)));
        }
        out.put(root.relativize(p).toString(), d.toString());
      }
    }
    return out;
  }
}
