package dev.dcont.layers;

import dev.dcont.store.GarbageCollector;
import dev.dcont.store.Store;
import dev.dcont.store.StoreException;
import dev.dcont.store.StoreLayout;
import dev.dcont.store.StoreLocks;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code dcont system prune}: under the store's exclusive lock, removes root file systems of containers
 * that are not running (and, when the run issue's {@code containers} table exists, its rows in a stopped
 * state), snapshots no image or container uses, temporary and unrecorded snapshot directories, dangling
 * {@code l/} links, unreferenced blobs and abandoned downloads.
 */
public final class StorePruner {
  /** Container states, in the run issue's {@code containers} table, that prune may remove. */
  static final Set<String> STOPPED = Set.of("created", "stopped", "exited", "dead");

  public record Result(int containers, long containerBytes, int snapshots, long snapshotBytes, int leftovers,
      List<Digest> blobs, long blobBytes, long ingestBytes) {
    public long total() {
      return containerBytes + snapshotBytes + blobBytes + ingestBytes;
    }
  }

  private StorePruner() { }

  public static Result prune(Store store) {
    StoreLayout layout = store.layout();
    try (StoreLocks.Held lock = StoreLocks.exclusive(layout)) {
      RootfsManager rootfs = new RootfsManager(store);
      SnapshotStore snapshots = SnapshotStore.of(store);
      Set<Path> mounted = Mounts.mountPoints();

      // containers
      Set<String> running = new HashSet<>();
      Set<String> stoppedRows = new HashSet<>();
      store.db().read(c -> {
        if (SnapshotStore.tableExists(c, "containers") && hasColumns(c, "containers", "id", "state")) {
          try (PreparedStatement ps = c.prepareStatement("SELECT id, state FROM containers");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              (STOPPED.contains(rs.getString(2)) ? stoppedRows : running).add(rs.getString(1));
            }
          }
        }
        return null;
      });
      int containers = 0;
      long containerBytes = 0;
      Set<String> known = new HashSet<>();
      for (RootfsManager.Rootfs r : rootfs.list()) {
        known.add(r.containerId());
        Path target = layout.container(r.containerId()).resolve("rootfs");
        if (running.contains(r.containerId()) || mounted.contains(target)) {
          continue;
        }
        containerBytes += DiskUsage.treeSize(layout.container(r.containerId()));
        rootfs.remove(r.containerId());
        containers++;
      }
      for (String id : stoppedRows) {
        if (known.contains(id) || !id.matches("[a-f0-9]{64}")) {
          continue;
        }
        if (!mounted.contains(layout.container(id).resolve("rootfs"))) {
          containerBytes += DiskUsage.treeSize(layout.container(id));
          delete(layout.container(id));
          containers++;
        }
      }
      if (!stoppedRows.isEmpty()) {
        store.db().inTransaction(c -> {
          try (PreparedStatement ps = c.prepareStatement("DELETE FROM containers WHERE id = ?")) {
            for (String id : stoppedRows) {
              if (!id.matches("[a-f0-9]{64}") || !mounted.contains(layout.container(id).resolve("rootfs"))) {
                ps.setString(1, id);
                ps.addBatch();
              }
            }
            ps.executeBatch();
          }
          return null;
        });
      }
      for (Path d : SnapshotStore.list(layout.containersDir())) {
        String id = d.getFileName().toString();
        if (!known.contains(id) && !running.contains(id) && !stoppedRows.contains(id)
            && !mounted.contains(d.resolve("rootfs"))) {
          containerBytes += DiskUsage.treeSize(d);
          delete(d);
          containers++;
        }
      }

      // snapshots
      Set<ChainId> used = snapshots.referencedChainIds();
      int removed = 0;
      long snapBytes = 0;
      Map<ChainId, Snapshot> all = snapshots.all();
      for (Snapshot s : all.values()) {
        if (!used.contains(s.chainId())) {
          snapshots.delete(s);
          removed++;
          snapBytes += s.size();
        }
      }
      Set<String> ids = new HashSet<>();
      Set<String> links = new HashSet<>();
      for (Snapshot s : snapshots.all().values()) {
        ids.add(Long.toString(s.id()));
        links.add(s.link());
      }
      int leftovers = 0;
      for (Path d : SnapshotStore.list(layout.snapshotsDir())) {
        if (!ids.contains(d.getFileName().toString())) {
          snapBytes += DiskUsage.treeSize(d);
          delete(d);
          leftovers++;
        }
      }
      for (Path l : SnapshotStore.list(layout.linksDir())) {
        if (!links.contains(l.getFileName().toString())) {
          delete(l);
        }
      }

      // blobs and downloads
      GarbageCollector gc = new GarbageCollector(store.content());
      GarbageCollector.Result blobs = gc.collectBlobs(store.images().referencedBlobs());
      long ingest = gc.collectIngest();
      return new Result(containers, containerBytes, removed, snapBytes, leftovers, blobs.blobs(), blobs.bytes(),
          ingest);
    } catch (IOException e) {
      throw StoreException.io("prune " + layout.root(), e);
    }
  }

  private static void delete(Path p) throws IOException {
    if (Files.isSymbolicLink(p) || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      Files.deleteIfExists(p);
    } else {
      SnapshotStore.deleteTree(p);
    }
  }

  static boolean hasColumns(java.sql.Connection c, String table, String... cols) throws java.sql.SQLException {
    List<String> have = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("PRAGMA table_info(" + table + ")");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        have.add(rs.getString("name"));
      }
    }
    return have.containsAll(List.of(cols));
  }
}
