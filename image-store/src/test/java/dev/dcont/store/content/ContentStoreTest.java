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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

  @Test
  void secondWriterOfTheSameBlobWaitsAndThenFindsItCommitted() throws Exception {
    ContentStore cs = store();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      IngestWriter first = cs.open(D, DATA.length).orElseThrow();
      CountDownLatch started = new CountDownLatch(1);
      Future<Optional<IngestWriter>> second = pool.submit(() -> {
        started.countDown();
        return cs.open(D, DATA.length);
      });
      started.await();
      Thread.sleep(200);
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
}
