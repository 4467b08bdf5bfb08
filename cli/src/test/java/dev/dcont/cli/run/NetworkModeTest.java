package dev.dcont.cli.run;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.cli.net.Lease;
import dev.dcont.store.Store;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkModeTest {
  @TempDir
  Path root;

  private static long startOf(ProcessHandle h) {
    return h.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
  }

  private Lease leaseOf(ProcessHandle attacher) {
    return new Lease(Names.newId(), root.resolve("netns"), "", attacher.pid(), startOf(attacher), Map.of(), null);
  }

  @Test
  void aLeaseWhoseAttacherLivesIsKeptBeforeItsContainerIsRecorded() {
    // a run sets its container's network up before the container's row is written
    try (Store store = Store.open(root.resolve("store"))) {
      assertFalse(NetworkMode.stale(new Containers(store), leaseOf(ProcessHandle.current())));
    }
  }

  @Test
  void aLeaseWhoseAttacherDiedWithoutARecordIsStale() throws Exception {
    Process p = new ProcessBuilder("true").start();
    ProcessHandle h = p.toHandle();
    Lease l = leaseOf(h);
    p.waitFor();
    try (Store store = Store.open(root.resolve("store"))) {
      assertTrue(NetworkMode.stale(new Containers(store), l));
    }
  }
}
