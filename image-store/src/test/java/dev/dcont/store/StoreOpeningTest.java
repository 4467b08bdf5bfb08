package dev.dcont.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store whose database is opened later, on another thread or at first use. */
class StoreOpeningTest {
  @TempDir
  Path tmp;

  @Test
  void nothingIsCreatedBeforeTheDatabaseIsUsed() {
    Path root = tmp.resolve("store");
    try (Store s = Store.openLater(root)) {
      assertEquals(root.toAbsolutePath().normalize(), s.layout().root());
      assertFalse(Files.exists(root), "openLater created " + root);
    }
    assertFalse(Files.exists(root), "closing an unopened store created " + root);
  }

  @Test
  void theFirstUseOpensTheDatabaseWhenNoOtherThreadDid() {
    Path root = tmp.resolve("store");
    try (Store s = Store.openLater(root)) {
      assertTrue(s.images().list().isEmpty());
      assertTrue(Files.isRegularFile(s.layout().database()));
      assertSame(s.db(), s.db());
    }
  }

  @Test
  void usersOnOtherThreadsWaitForTheOpeningThreadAndShareItsDatabase() throws Exception {
    try (Store s = Store.openLater(tmp.resolve("store"))) {
      int users = 4;
      CountDownLatch go = new CountDownLatch(1);
      AtomicReference<Object> seen = new AtomicReference<>();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread[] threads = new Thread[users];
      for (int i = 0; i < users; i++) {
        threads[i] = new Thread(() -> {
          try {
            go.await();
            Object db = Thread.currentThread().getName().endsWith("0") ? opening(s) : usingContainers(s);
            seen.compareAndSet(null, db);
            if (seen.get() != db) {
              failed.set(new AssertionError("two databases: " + seen.get() + " and " + db));
            }
          } catch (Throwable t) {
            failed.set(t);
          }
        }, "user-" + i);
        threads[i].start();
      }
      go.countDown();
      for (Thread t : threads) {
        t.join();
      }
      if (failed.get() != null) {
        throw new AssertionError(failed.get());
      }
      assertSame(s.db(), seen.get());
    }
  }

  private static Object usingContainers(Store s) {
    s.containers().list();
    return s.db();
  }

  private static Object opening(Store s) {
    s.finishOpening();
    return s.db();
  }

  @Test
  void aFailureToOpenIsThrownToEveryUser() throws Exception {
    Path root = tmp.resolve("not-a-dir");
    Files.writeString(root, "a file where the store should be");
    try (Store s = Store.openLater(root)) {
      StoreException first = assertThrows(StoreException.class, s::finishOpening);
      StoreException again = assertThrows(StoreException.class, s::images);
      assertEquals(first.getMessage(), again.getMessage());
      assertTrue(first.getMessage().contains(root.toString()), first.getMessage());
    }
  }

  @Test
  void aClosedStoreRefusesDatabaseUse() {
    Store s = Store.open(tmp.resolve("store"));
    s.close();
    StoreException e = assertThrows(StoreException.class, s::db);
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }
}
