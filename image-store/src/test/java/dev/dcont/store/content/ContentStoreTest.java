package dev.dcont.store.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.GarbageCollector;
import dev.dcont.store.StoreLayout;
import dev.dcont.store.model.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
  @TempDir
  Path root;

  private ContentStore store() {
    return new ContentStore(new StoreLayout(root));
  }

  private static final byte[] DATA = "some layer bytes".getBytes(StandardCharsets.UTF_8);
  private static final Digest D = Digest.sha256(DATA);

  @Test
  void commitVerifiesAndRenamesIntoBlobs() throws Exception {
    ContentStore cs = store();
    try (IngestWriter w = cs.open(D, DATA.length).orElseThrow()) {
      w.write(DATA, 0, DATA.length);
      assertFalse(cs.exists(D), "nothing visible before commit");
      w.commit();
    }
    assertTrue(cs.exists(D));
    assertArrayEquals(DATA, cs.readAll(D));
    assertFalse(Files.exists(root.resolve("ingest").resolve(D.hex() + ".partial")));
    assertTrue(cs.open(D, DATA.length).isEmpty(), "an existing blob is success");
  }

  @Test
  void wrongContentIsRefusedAndLeavesNoBlob() throws Exception {
    ContentStore cs = store();
    byte[] other = "some layer byteZ".getBytes(StandardCharsets.UTF_8);
    try (IngestWriter w = cs.open(D, DATA.length).orElseThrow()) {
      w.write(other, 0, other.length);
      DigestMismatchException e = assertThrows(DigestMismatchException.class, w::commit);
      assertTrue(e.getMessage().contains(D.toString()), e.getMessage());
    }
    assertFalse(cs.exists(D));
    assertFalse(Files.exists(root.resolve("ingest").resolve(D.hex() + ".partial")));
  }

  @Test
  void shortOrLongContentIsRefused() throws Exception {
    ContentStore cs = store();
    try (IngestWriter w = cs.open(D, DATA.length).orElseThrow()) {
      w.write(DATA, 0, 4);
      assertTrue(assertThrows(DigestMismatchException.class, w::commit).getMessage().contains("size 4 != 16"));
    }
    try (IngestWriter w = cs.open(D, DATA.length).orElseThrow()) {
      w.write(DATA, 0, DATA.length);
      assertThrows(DigestMismatchException.class, () -> w.write(DATA, 0, 1));
    }
    assertFalse(cs.exists(D));
  }

  @Test
  void partialFileIsResumedByTheNextWriter() throws Exception {
    ContentStore cs = store();
    try (IngestWriter w = cs.open(D, DATA.length).orElseThrow()) {
      w.write(DATA, 0, 7);
    }
    try (IngestWriter w = cs.open(D, DATA.length).orElseThrow()) {
      assertEquals(7, w.offset());
      w.write(DATA, 7, DATA.length - 7);
      w.commit();
    }
    assertArrayEquals(DATA, cs.readAll(D));
  }

  /** A blob big enough for O_DIRECT writes, of a size that is no multiple of the alignment. */
  private static byte[] bigBlob() {
    byte[] b = new byte[3 * IngestWriter.STAGE + 12345];
    new java.util.Random(7).nextBytes(b);
    return b;
  }

  /** Whether the file system under the test's directory takes O_DIRECT (ext4 and xfs do; tmpfs may not). */
  private boolean directIoHere() throws Exception {
    Path probe = root.resolve("probe");
    Files.createFile(probe);
    try (var ch = java.nio.channels.FileChannel.open(probe, java.nio.file.StandardOpenOption.WRITE,
        com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
      return true;
    } catch (java.io.IOException | UnsupportedOperationException e) {
      return false;
    } finally {
      Files.delete(probe);
    }
  }

  @Test
  void bigBlobsAreWrittenPastThePageCacheInAnyChunking() throws Exception {
    byte[] big = bigBlob();
    Digest d = Digest.sha256(big);
    ContentStore cs = store();
    try (IngestWriter w = cs.open(d, big.length).orElseThrow()) {
      assertEquals(directIoHere(), w.isDirect(), "O_DIRECT exactly where the file system has it");
      // chunks of odd sizes, one larger than what is gathered, so block boundaries fall everywhere
      int[] sizes = {1, 4095, 4097, 65536, IngestWriter.STAGE + 3, 777};
      int off = 0;
      for (int i = 0; off < big.length; i++) {
        int n = Math.min(sizes[i % sizes.length], big.length - off);
        w.write(big, off, n);
        off += n;
        assertEquals(off, w.offset());
      }
      w.commit();
    }
    assertArrayEquals(big, cs.readAll(d));
  }

  @Test
  void bigBlobCutAtAnUnalignedOffsetIsResumedExactly() throws Exception {
    byte[] big = bigBlob();
    Digest d = Digest.sha256(big);
    ContentStore cs = store();
    Path partial = root.resolve("ingest").resolve(d.hex() + ".partial");
    int cut = IngestWriter.STAGE + IngestWriter.ALIGN * 3 + 101; // in the middle of what is gathered
    try (IngestWriter w = cs.open(d, big.length).orElseThrow()) {
      w.write(big, 0, cut);
    }
    // closing writes what was gathered: the partial file holds exactly the bytes received
    assertEquals(cut, Files.size(partial));
    assertArrayEquals(java.util.Arrays.copyOf(big, cut), Files.readAllBytes(partial));
    int second = 2 * IngestWriter.STAGE + 7;
    try (IngestWriter w = cs.open(d, big.length).orElseThrow()) {
      assertEquals(cut, w.offset());
      assertEquals(directIoHere(), w.isDirect());
      w.write(big, cut, second - cut);
    }
    assertArrayEquals(java.util.Arrays.copyOf(big, second), Files.readAllBytes(partial));
    try (IngestWriter w = cs.open(d, big.length).orElseThrow()) {
      assertEquals(second, w.offset());
      w.write(big, second, big.length - second);
      w.commit();
    }
    assertArrayEquals(big, cs.readAll(d));
  }

  @Test
  void bigBlobRestartedMidwayHoldsOnlyTheNewBytes() throws Exception {
    byte[] big = bigBlob();
    Digest d = Digest.sha256(big);
    ContentStore cs = store();
    byte[] junk = new byte[IngestWriter.STAGE * 2 + 5];
    java.util.Arrays.fill(junk, (byte) 0x5a);
    try (IngestWriter w = cs.open(d, big.length).orElseThrow()) {
      w.write(junk, 0, junk.length);
      w.restart();
      assertEquals(0, w.offset());
      w.write(big, 0, big.length);
      w.commit();
    }
    assertArrayEquals(big, cs.readAll(d));
  }

  @Test
  void restartDropsWhatWasWritten() throws Exception {
    ContentStore cs = store();
    try (IngestWriter w = cs.open(D, DATA.length).orElseThrow()) {
      w.write("garbage".getBytes(StandardCharsets.UTF_8), 0, 7);
      w.restart();
      assertEquals(0, w.offset());
      w.write(DATA, 0, DATA.length);
      w.commit();
    }
    assertArrayEquals(DATA, cs.readAll(D));
  }

  /** Whether {@code t} is parked inside {@link ContentStore#open}: waiting for the blob's lock. */
  private static boolean waitsInOpen(Thread t) {
    return t.getState() == Thread.State.WAITING && java.util.Arrays.stream(t.getStackTrace())
        .anyMatch(f -> f.getClassName().equals(ContentStore.class.getName()) && f.getMethodName().equals("open"));
  }

  @Test
  void secondWriterOfTheSameBlobWaitsAndThenFindsItCommitted() throws Exception {
    ContentStore cs = store();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      IngestWriter first = cs.open(D, DATA.length).orElseThrow();
      CountDownLatch started = new CountDownLatch(1);
      AtomicReference<Thread> secondThread = new AtomicReference<>();
      Future<Optional<IngestWriter>> second = pool.submit(() -> {
        secondThread.set(Thread.currentThread());
        started.countDown();
        return cs.open(D, DATA.length);
      });
      started.await();
      // a condition with a deadline, as testkit's Poll (which depends on this module, so is not used here)
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (!waitsInOpen(secondThread.get())) {
        assertTrue(System.nanoTime() - deadline < 0, "the second writer did not come to wait in ContentStore.open");
        Thread.onSpinWait();
      }
      assertFalse(second.isDone(), "the second writer waits for the first");
      first.write(DATA, 0, DATA.length);
      first.commit();
      first.close();
      assertTrue(second.get(5, TimeUnit.SECONDS).isEmpty());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void putChecksTheDigest() throws Exception {
    ContentStore cs = store();
    assertThrows(DigestMismatchException.class, () -> cs.put(Digest.sha256("x"), DATA));
    cs.put(D, DATA);
    assertEquals(DATA.length, cs.size(D));
  }

  @Test
  void putIfAbsentSaysWhetherItAddedTheBlob() throws Exception {
    ContentStore cs = store();
    assertTrue(cs.putIfAbsent(D, DATA));
    assertFalse(cs.putIfAbsent(D, DATA));
    assertArrayEquals(DATA, cs.readAll(D));
    assertThrows(DigestMismatchException.class, () -> cs.putIfAbsent(Digest.sha256("x"), DATA));
  }

  @Test
  void garbageCollectionKeepsReferencedBlobsAndDropsAbandonedPartials() throws Exception {
    ContentStore cs = store();
    cs.put(D, DATA);
    byte[] other = "other".getBytes(StandardCharsets.UTF_8);
    cs.put(Digest.sha256(other), other);
    Digest partial = Digest.sha256("partial-blob");
    try (IngestWriter w = cs.open(partial, 100).orElseThrow()) {
      w.write(other, 0, other.length);
    }
    GarbageCollector gc = new GarbageCollector(cs);
    GarbageCollector.Result r = gc.collectBlobs(Set.of(D));
    assertEquals(1, r.blobs().size());
    assertEquals(other.length, r.bytes());
    assertTrue(cs.exists(D));
    assertFalse(cs.exists(Digest.sha256(other)));
    assertEquals(other.length, gc.collectIngest());
    assertFalse(Files.exists(root.resolve("ingest").resolve(partial.hex() + ".partial")));
  }

  @Test
  void aBlobWhoseDigestIsLearntFromItsBytesIsCommittedUnderItAndLeavesNoPartialFile() throws Exception {
    ContentStore cs = store();
    ContentStore.Ingested first = cs.ingest(new java.io.ByteArrayInputStream(DATA), DATA.length);
    assertEquals(new ContentStore.Ingested(D, DATA.length, true), first);
    assertArrayEquals(DATA, cs.readAll(D));
    assertEquals(new ContentStore.Ingested(D, DATA.length, false),
        cs.ingest(new java.io.ByteArrayInputStream(DATA), DATA.length), "a blob already there is not added");
    try (var files = Files.list(root.resolve("ingest"))) {
      assertEquals(0, files.count(), "no partial or lock file stays");
    }
  }

  @Test
  void aBlobThatEndsBeforeItsSizeIsNotCommitted() throws Exception {
    ContentStore cs = store();
    assertThrows(java.io.EOFException.class, () -> cs.ingest(new java.io.ByteArrayInputStream(DATA), DATA.length + 1));
    assertFalse(cs.exists(D));
    try (var files = Files.list(root.resolve("ingest"))) {
      assertEquals(0, files.count(), "no partial or lock file stays");
    }
  }
}
