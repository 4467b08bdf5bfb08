package dev.dcont.layers;

import dev.dcont.layers.sys.NativeSyscalls;
import dev.dcont.layers.sys.Syscalls;
import dev.dcont.store.OwnerOnly;
import dev.dcont.store.Store;
import dev.dcont.store.StoreException;
import dev.dcont.store.StoreLayout;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.db.MetadataDb;
import dev.dcont.store.model.ChainId;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Container root file systems: overlayfs over an image's snapshots with a per-container upper and work
 * directory under {@code containers/<id>/}. State lives in table {@code rootfs} (one row per container, state
 * {@code prepared}, {@code mounted} or {@code unmounted}; the run issue may add columns or states) and
 * {@code rootfs_layers} (the chain IDs it uses, so prune keeps those snapshots). The row is written before
 * any directory, so a crash leaves nothing {@link StorePruner} cannot find.
 */
public final class RootfsManager {
  static final String SCHEMA = """
      CREATE TABLE IF NOT EXISTS rootfs (
        container_id TEXT PRIMARY KEY,
        image TEXT,
        top_chain_id TEXT,
        state TEXT NOT NULL,
        created INTEGER NOT NULL,
        mounted_at INTEGER
      );
      CREATE TABLE IF NOT EXISTS rootfs_layers (
        container_id TEXT NOT NULL REFERENCES rootfs(container_id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        chain_id TEXT NOT NULL,
        PRIMARY KEY (container_id, position)
      );
      CREATE INDEX IF NOT EXISTS rootfs_layers_chain ON rootfs_layers(chain_id)
      """;
  public static final String PREPARED = "prepared";
  public static final String MOUNTED = "mounted";
  public static final String UNMOUNTED = "unmounted";

  /** A row of {@code rootfs}. */
  public record Rootfs(String containerId, String image, ChainId topChainId, String state, long created) { }

  private final Store store;
  private final StoreLayout layout;
  private final MetadataDb db;
  private final SnapshotStore snapshots;
  /** The native calls; null until the first mount or unmount when made with {@link #RootfsManager(Store)}. */
  private Syscalls sys;

  /**
   * A manager whose native calls are bound at its first mount or unmount: binding them (JNA's start-up) takes
   * tens of milliseconds, which a run spends on a side thread while this manager records the root.
   */
  public RootfsManager(Store store) {
    this(store, null);
  }

  public RootfsManager(Store store, Syscalls sys) {
    this.store = store;
    this.layout = store.layout();
    this.db = store.db();
    this.sys = sys;
    this.snapshots = SnapshotStore.of(store);
    db.ensureSchema(SCHEMA);
  }

  /**
   * Records a root file system for {@code containerId} (64 hex digits) over {@code image}, unpacking
   * layers that are not yet unpacked, and creates {@code containers/<id>/{upper,work,rootfs}}.
   */
  public MountSpec prepare(String containerId, ImageRecord image) {
    layout.container(containerId); // validates the id
    if (image.layers().isEmpty()) {
      throw new LayerException("image " + image.id().shortHex() + ": has no layers, nothing to mount");
    }
    List<Snapshot> chain = ImageUnpacker.ensureUnpacked(store, image, ImageUnpacker.Listener.NONE);
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO rootfs(container_id, image, top_chain_id, "
          + "state, created) VALUES (?,?,?,?,?)")) {
        ps.setString(1, containerId);
        ps.setString(2, image.manifestDigest().toString());
        ps.setString(3, image.topChainId().toString());
        ps.setString(4, PREPARED);
        ps.setLong(5, System.currentTimeMillis());
        ps.executeUpdate();
      } catch (java.sql.SQLException e) {
        if (String.valueOf(e.getMessage()).contains("UNIQUE")) {
          throw new LayerException("container " + containerId.substring(0, 12) + ": a root file system exists "
              + "already (remove it first)");
        }
        throw e;
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO rootfs_layers(container_id, position, chain_id) VALUES (?,?,?)")) {
        for (int i = 0; i < chain.size(); i++) {
          ps.setString(1, containerId);
          ps.setInt(2, i);
          ps.setString(3, chain.get(i).chainId().toString());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
    Path dir = layout.container(containerId);
    try {
      // the container's directory keeps other users away from its upper layer (setuid files the container made)
      // and its bundle; the upper directory's own mode is the mode of the container's "/", which every user in the
      // container must be able to traverse
      OwnerOnly.createDirectories(layout.containersDir());
      OwnerOnly.createDirectory(dir, OwnerOnly.DIR);
      OwnerOnly.createDirectory(dir.resolve("upper"), PosixFilePermissions.fromString("rwxr-xr-x"));
      OwnerOnly.createDirectory(dir.resolve("work"), OwnerOnly.DIR);
      OwnerOnly.createDirectory(dir.resolve("rootfs"), OwnerOnly.DIR);
    } catch (IOException e) {
      throw StoreException.io("container " + containerId.substring(0, 12) + " directory " + dir, e);
    }
    return spec(containerId, chain);
  }

  /** The mount description of a prepared root file system. */
  public MountSpec spec(String containerId) {
    List<ChainId> ids = db.read(c -> {
      List<ChainId> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT chain_id FROM rootfs_layers WHERE container_id = ? ORDER BY position")) {
        ps.setString(1, containerId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(ChainId.parse(rs.getString(1)));
          }
        }
      }
      return out;
    });
    if (ids.isEmpty()) {
      throw new LayerException("container " + abbrev(containerId) + ": no root file system (prepare it first)");
    }
    List<Snapshot> chain = new ArrayList<>();
    for (ChainId id : ids) {
      chain.add(snapshots.get(id).orElseThrow(() -> new LayerException("container " + abbrev(containerId)
          + ": snapshot " + id + " is missing (run 'dcont system check')")));
    }
    return spec(containerId, chain);
  }

  private MountSpec spec(String containerId, List<Snapshot> chain) {
    Path dir = layout.container(containerId);
    List<String> links = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    for (int i = chain.size() - 1; i >= 0; i--) {
      links.add(chain.get(i).link());
      dirs.add(chain.get(i).fs(layout));
    }
    Path links0 = layout.linksDir();
    String upper = links0.relativize(dir.resolve("upper")).toString();
    String work = links0.relativize(dir.resolve("work")).toString();
    String options = "lowerdir=" + String.join(":", links) + ",upperdir=" + upper + ",workdir=" + work;
    return new MountSpec(containerId, dir.resolve("rootfs"), links0, links, dirs, dir.resolve("upper"),
        dir.resolve("work"), options);
  }

  private synchronized Syscalls sys() {
    if (sys == null) {
      sys = NativeSyscalls.get();
    }
    return sys;
  }

  /** Mounts the overlay at {@code containers/<id>/rootfs}; returns the mount point. */
  public Path mount(String containerId) {
    MountSpec spec = spec(containerId);
    try {
      sys().mount("overlay", spec.target(), "overlay", 0, spec.options(), spec.workingDir());
    } catch (IOException e) {
      throw new LayerException("container " + abbrev(containerId) + ": " + e.getMessage()
          + (sys().privileged() ? "" : " (mounting overlayfs needs root)"), e);
    }
    setState(containerId, MOUNTED);
    return spec.target();
  }

  /** Unmounts the container root; a root that is not mounted is left as it is. */
  public void unmount(String containerId) {
    unmountTarget(containerId);
    setState(containerId, UNMOUNTED);
  }

  private void unmountTarget(String containerId) {
    Path target = layout.container(containerId).resolve("rootfs");
    if (Mounts.isMountPoint(target)) {
      try {
        sys().unmount(target, false);
      } catch (IOException e) {
        try {
          sys().unmount(target, true);
        } catch (IOException e2) {
          throw new LayerException("container " + abbrev(containerId) + ": " + e.getMessage()
              + " (stop the processes using it and try again)", e);
        }
      }
    }
  }

  /** Unmounts if needed, then deletes the row and {@code containers/<id>/}. */
  public void remove(String containerId) {
    if (find(containerId).isPresent()) {
      unmountTarget(containerId); // the row goes next: no state to record
    }
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM rootfs WHERE container_id = ?")) {
        ps.setString(1, containerId);
        ps.executeUpdate();
      }
      return null;
    });
    try {
      SnapshotStore.deleteTree(layout.container(containerId));
    } catch (IOException e) {
      throw StoreException.io("container " + abbrev(containerId) + " directory", e);
    }
  }

  public Optional<Rootfs> find(String containerId) {
    List<Rootfs> found = rows("WHERE container_id = ?", containerId);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  public List<Rootfs> list() {
    return rows("ORDER BY created", null);
  }

  private List<Rootfs> rows(String where, String arg) {
    return db.read(c -> {
      List<Rootfs> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT container_id, image, top_chain_id, state, created FROM rootfs " + where)) {
        if (arg != null) {
          ps.setString(1, arg);
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String top = rs.getString(3);
            out.add(new Rootfs(rs.getString(1), rs.getString(2), top == null ? null : ChainId.parse(top),
                rs.getString(4), rs.getLong(5)));
          }
        }
      }
      return out;
    });
  }

  private void setState(String containerId, String state) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE rootfs SET state = ?, mounted_at = CASE WHEN ? = 'mounted' THEN ? ELSE mounted_at END "
              + "WHERE container_id = ?")) {
        ps.setString(1, state);
        ps.setString(2, state);
        ps.setLong(3, System.currentTimeMillis());
        ps.setString(4, containerId);
        ps.executeUpdate();
      }
      return null;
    });
  }

  static String abbrev(String id) {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }
}
