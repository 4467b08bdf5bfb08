package dev.dcont.store.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.Store;
import dev.dcont.store.StoreException;
import dev.dcont.store.model.Digest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerRepositoryTest {
  @TempDir
  Path root;

  static ContainerRecord container(String idPrefix, String name) {
    String id = (idPrefix + "0".repeat(64)).substring(0, 64);
    return new ContainerRecord(id, name, Digest.sha256("m"), "busybox", List.of("sh", "-c", "echo hi"), 5, false);
  }

  @Test
  void resolvesByIdNameAndUniquePrefix() {
    try (Store s = Store.open(root)) {
      ContainerRecord a = container("abc1", "alpha");
      ContainerRecord b = container("abc2", "beta");
      s.containers().insert(a);
      s.containers().insert(b);
      assertEquals(a, s.containers().resolve("alpha").orElseThrow());
      assertEquals(b, s.containers().resolve("/beta").orElseThrow());
      assertEquals(a, s.containers().resolve("abc1").orElseThrow());
      assertEquals(b, s.containers().resolve(b.id()).orElseThrow());
      assertTrue(s.containers().resolve("ffff").isEmpty());
      assertThrows(StoreException.class, () -> s.containers().resolve("abc"));
      assertEquals(List.of("sh", "-c", "echo hi"), s.containers().byId(a.id()).orElseThrow().command());
      assertEquals(2, s.containers().usingImage(Digest.sha256("m")).size());
      assertEquals(ContainerRecord.CREATED, s.containers().byId(a.id()).orElseThrow().state());
      s.containers().markRunning(a.id(), 1000);
      assertEquals(ContainerRecord.RUNNING, s.containers().byId(a.id()).orElseThrow().state());
      s.containers().markExited(a.id(), 137, 2000);
      ContainerRecord done = s.containers().byId(a.id()).orElseThrow();
      assertEquals(ContainerRecord.EXITED, done.state());
      assertEquals(137, done.exitCode());
      assertEquals(1000, done.startedAt());
      assertEquals(2000, done.finishedAt());
    }
  }

  @Test
  void namesAreUnique() {
    try (Store s = Store.open(root)) {
      s.containers().insert(container("aaaa", "web"));
      StoreException e = assertThrows(StoreException.class, () -> s.containers().insert(container("bbbb", "web")));
      assertTrue(e.getMessage().contains("already in use"), e.getMessage());
      s.containers().delete(container("aaaa", "web").id());
      s.containers().insert(container("bbbb", "web"));
      assertEquals(1, s.containers().list().size());
    }
  }

  /** What prune reads and deletes: states by ID, and several rows in one call. */
  @Test
  void statesByIdAndDeletingSeveral() {
    try (Store s = Store.open(root)) {
      ContainerRecord a = container("aaaa", "a");
      ContainerRecord b = container("bbbb", "b");
      ContainerRecord c = container("cccc", "c");
      for (ContainerRecord r : List.of(a, b, c)) {
        s.containers().insert(r);
      }
      s.containers().markRunning(b.id(), 1);
      s.containers().markExited(c.id(), 0, 2);
      assertEquals(java.util.Map.of(a.id(), "created", b.id(), "running", c.id(), "exited"), s.containers().states());
      s.containers().delete(List.of(a.id(), c.id()));
      assertEquals(java.util.Map.of(b.id(), "running"), s.containers().states());
    }
  }
}
