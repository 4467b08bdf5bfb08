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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code dcont system prune}: under the store's exclusive lock, removes root file systems of containers
 * that are not running (and the rows of stopped containers), snapshots no image or container uses, temporary and
 * unrecorded snapshot directories, dangling {@code l/} links, unreferenced blobs and abandoned downloads.
 */
public final class StorePruner {
  /** Container states that prune may remove. */
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
      Snapshotter snapshots = rootfs.snapshotter();
      Set<Path> mounted = Mounts.mountPoints();

      // containers
      Set<String> running = new HashSet<>();
      Set<String> stoppedRows = new HashSet<>();
      store.containers().states().forEach((id, state) -> (STOPPED.contains(state) ? stoppedRows : running).add(id));
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
        List<String> rows = new ArrayList<>();
        for (String id : stoppedRows) {
          if (!id.matches("[a-f0-9]{64}") || !mounted.contains(layout.container(id).resolve("rootfs"))) {
            rows.add(id);
          }
        }
        store.containers().delete(rows);
      }
      for (Path d : Trees.list(layout.containersDir())) {
        String id = d.getFileName().toString();
        if (!known.contains(id) && !running.contains(id) && !stoppedRows.contains(id)
            && !mounted.contains(d.resolve("rootfs"))) {
          containerBytes += DiskUsage.treeSize(d);
          delete(d);
          containers++;
        }
      }

      // snapshots: children before their parents; one a container's root stacks on stays
      Set<ChainId> used = store.images().layerChainIds();
      int removed = 0;
      long snapBytes = 0;
      Map<ChainId, Snapshot> all = snapshots.committed();
      List<Snapshot> unused = new ArrayList<>();
      Map<ChainId, Integer> depth = new HashMap<>();
      for (Snapshot s : all.values()) {
        if (!used.contains(s.chainId())) {
          unused.add(s);
          depth.put(s.chainId(), SnapshotTable.stack(all, s.chainId()).size());
        }
      }
      unused.sort(Comparator.comparing((Snapshot s) -> depth.get(s.chainId())).reversed());
      for (Snapshot s : unused) {
        try {
          snapshots.remove(s.chainId().toString());
          removed++;
          snapBytes += s.size();
        } catch (Snapshotter.InUseException e) {
          // a container's root, or a snapshot an image uses, stacks on it
        }
      }
      Set<String> ids = new HashSet<>();
      Set<String> links = new HashSet<>();
      for (Snapshot s : snapshots.committed().values()) {
        ids.add(Long.toString(s.id()));
        links.add(s.link());
      }
      int leftovers = 0;
      for (Path d : Trees.list(layout.snapshotsDir())) {
        if (!ids.contains(d.getFileName().toString())) {
          snapBytes += DiskUsage.treeSize(d);
          delete(d);
          leftovers++;
        }
      }
      for (Path l : Trees.list(layout.linksDir())) {
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
      Trees.deleteTree(p);
    }
  }
}
