package dev.dcont.layers;

import dev.dcont.store.OwnerOnly;
import dev.dcont.store.StoreException;
import dev.dcont.store.StoreLayout;
import dev.dcont.store.db.MetadataDb;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Snapshots in the database (table {@code snapshots}) and on disk. A snapshot is unpacked into
 * {@code snapshots/tmp-<uuid>/fs}, then renamed to {@code snapshots/<id>} and recorded in one transaction,
 * so a row always names a complete directory; a crash leaves a temporary or unrecorded directory that
 * {@link StorePruner} removes.
 */
public final class SnapshotStore {
  static final String SCHEMA = """
      CREATE TABLE IF NOT EXISTS snapshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        chain_id TEXT NOT NULL UNIQUE,
        parent TEXT,
        diff_id TEXT NOT NULL,
        layer_digest TEXT,
        link TEXT NOT NULL,
        size INTEGER NOT NULL,
        files INTEGER NOT NULL,
        created INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS snapshots_diff ON snapshots(diff_id)
      """;
  static final String TMP_PREFIX = "tmp-";
  private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> ROOT_DIR =
      java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x");
  private static final String COLUMNS = "id, chain_id, parent, diff_id, layer_digest, link, size, files, created";

  private final StoreLayout layout;
  private final MetadataDb db;

  public SnapshotStore(StoreLayout layout, MetadataDb db) {
    this.layout = layout;
    this.db = db;
    db.ensureSchema(SCHEMA);
  }

  public static SnapshotStore of(dev.dcont.store.Store store) {
    return new SnapshotStore(store.layout(), store.db());
  }

  public StoreLayout layout() {
    return layout;
  }

  public Optional<Snapshot> get(ChainId chainId) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM snapshots WHERE chain_id = ?")) {
        ps.setString(1, chainId.toString());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
      }
    });
  }

  /** Every snapshot, by chain ID. */
  public Map<ChainId, Snapshot> all() {
    return db.read(c -> {
      Map<ChainId, Snapshot> out = new LinkedHashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM snapshots ORDER BY id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Snapshot s = row(rs);
          out.put(s.chainId(), s);
        }
      }
      return out;
    });
  }

  private static Snapshot row(ResultSet rs) throws SQLException {
    String parent = rs.getString(3);
    String layer = rs.getString(5);
    return new Snapshot(rs.getLong(1), ChainId.parse(rs.getString(2)), parent == null ? null : ChainId.parse(parent),
        Digest.parse(rs.getString(4)), layer == null ? null : Digest.parse(layer), rs.getString(6), rs.getLong(7),
        rs.getLong(8), rs.getLong(9));
  }

  /** A fresh temporary snapshot directory with an empty {@code fs/} inside. */
  public Path createTemp() {
    try {
      OwnerOnly.createDirectories(layout.snapshotsDir());
      Path tmp = layout.snapshotsDir().resolve(TMP_PREFIX + UUID.randomUUID());
      OwnerOnly.createDirectory(tmp, OwnerOnly.DIR);
      // the layer's own "./" entry, if it has one, sets the mode of fs; without one it is a plain 0755 directory
      OwnerOnly.createDirectory(tmp.resolve("fs"), ROOT_DIR);
      return tmp;
    } catch (IOException e) {
      throw StoreException.io("snapshot directory in " + layout.snapshotsDir(), e);
    }
  }

  /** What a temporary snapshot measures, as {@code du --apparent-size -b} and {@code find | wc -l} minus one. */
  public record Measure(long size, long files) { }

  public static Measure measure(Path fs) throws IOException {
    long[] acc = new long[2];
    Set<Object> inodes = new HashSet<>();
    Files.walkFileTree(fs, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
        acc[0] += a.size();
        acc[1]++;
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
        acc[1]++;
        // hardlinks count once: by inode, from the walk's own lstat (asking for the link count was a second one)
        if (a.isRegularFile() && !inodes.add(a.fileKey())) {
          return FileVisitResult.CONTINUE;
        }
        acc[0] += a.size();
        return FileVisitResult.CONTINUE;
      }
    });
    return new Measure(acc[0], acc[1] - 1);
  }

  /**
   * Makes a temporary snapshot permanent: renames it to {@code snapshots/<id>}, links {@code l/<link>} to
   * its {@code fs}, and records it, in one transaction. If another process recorded the same chain ID
   * first, deletes {@code tmp} and returns that snapshot.
   */
  public Snapshot commit(Path tmp, ChainId chainId, ChainId parent, Digest diffId, Digest layerDigest, Measure m) {
    return commitAndTell(tmp, chainId, parent, diffId, layerDigest, m).snapshot();
  }

  /** What {@link #commitAndTell} recorded; {@code created} false when another process had recorded it first. */
  record Commit(Snapshot snapshot, boolean created) { }

  /** {@link #commit}, saying whether this call recorded the snapshot. */
  Commit commitAndTell(Path tmp, ChainId chainId, ChainId parent, Digest diffId, Digest layerDigest, Measure m) {
    Commit s;
    try {
      OwnerOnly.createDirectories(layout.linksDir());
      s = db.inTransaction(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM snapshots WHERE chain_id = ?")) {
          ps.setString(1, chainId.toString());
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              return new Commit(row(rs), false);
            }
          }
        }
        long now = System.currentTimeMillis();
        long id;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO snapshots(chain_id, parent, diff_id, "
            + "layer_digest, link, size, files, created) VALUES (?,?,?,?,'',?,?,?)",
            java.sql.Statement.RETURN_GENERATED_KEYS)) {
          ps.setString(1, chainId.toString());
          ps.setString(2, parent == null ? null : parent.toString());
          ps.setString(3, diffId.toString());
          ps.setString(4, layerDigest == null ? null : layerDigest.toString());
          ps.setLong(5, m.size());
          ps.setLong(6, m.files());
          ps.setLong(7, now);
          ps.executeUpdate();
          try (ResultSet rs = ps.getGeneratedKeys()) {
            rs.next();
            id = rs.getLong(1);
          }
        }
        String link = Long.toString(id, 36);
        try (PreparedStatement ps = c.prepareStatement("UPDATE snapshots SET link = ? WHERE id = ?")) {
          ps.setString(1, link);
          ps.setLong(2, id);
          ps.executeUpdate();
        }
        try {
          Path dir = layout.snapshot(id);
          if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(dir); // left by a crash: ids are never reused, so no row names it
          }
          Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
          Path l = layout.linksDir().resolve(link);
          Files.deleteIfExists(l);
          Files.createSymbolicLink(l, Path.of("..", "snapshots", Long.toString(id), "fs"));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return new Commit(new Snapshot(id, chainId, parent, diffId, layerDigest, link, m.size(), m.files(), now), true);
      });
    } catch (IOException | java.io.UncheckedIOException e) {
      IOException io = e instanceof IOException x ? x : ((java.io.UncheckedIOException) e).getCause();
      throw StoreException.io("snapshot " + chainId, io);
    }
    if (Files.exists(tmp, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      deleteQuietly(tmp);
    }
    return s;
  }

  /** Removes a snapshot: its row first (so it is never visible half-deleted), then its link and directory. */
  public void delete(Snapshot s) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM snapshots WHERE id = ?")) {
        ps.setLong(1, s.id());
        ps.executeUpdate();
      }
      return null;
    });
    try {
      Files.deleteIfExists(s.linkPath(layout));
      deleteTree(s.dir(layout));
    } catch (IOException e) {
      throw StoreException.io("snapshot " + s.chainId() + " directory " + s.dir(layout), e);
    }
  }

  /**
   * Removes a snapshot that an unpack of {@code image} recorded and then gave up, unless another image or a
   * container's root names its chain ID by now (a concurrent pull or run may have found it). The check and the
   * row's removal are one transaction.
   */
  void deleteUnlessUsed(Snapshot s, Digest image) {
    boolean removed = db.inTransaction(c -> {
      String sql = "SELECT 1 FROM image_layers WHERE chain_id = ? AND manifest_digest <> ?"
          + (tableExists(c, "rootfs_layers") ? " UNION SELECT 1 FROM rootfs_layers WHERE chain_id = ?" : "");
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, s.chainId().toString());
        ps.setString(2, image.toString());
        if (sql.contains("rootfs_layers")) {
          ps.setString(3, s.chainId().toString());
        }
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return false;
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM snapshots WHERE id = ?")) {
        ps.setLong(1, s.id());
        ps.executeUpdate();
      }
      return true;
    });
    if (removed) {
      try {
        Files.deleteIfExists(s.linkPath(layout));
      } catch (IOException e) {
        // a dangling link: prune removes it
      }
      deleteQuietly(s.dir(layout));
    }
  }

  /** The chain IDs some image or container needs. */
  public Set<ChainId> referencedChainIds() {
    return db.read(c -> {
      Set<ChainId> out = new HashSet<>();
      String sql = "SELECT chain_id FROM image_layers"
          + (tableExists(c, "rootfs_layers") ? " UNION SELECT chain_id FROM rootfs_layers" : "");
      try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(ChainId.parse(rs.getString(1)));
        }
      }
      return out;
    });
  }

  static boolean tableExists(java.sql.Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Deletes a directory tree without following symlinks. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        // A directory restored without write permission still has to be emptied.
        if (!Files.isWritable(d)) {
          d.toFile().setWritable(true, true);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        if (exc != null) {
          throw exc;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  static void deleteQuietly(Path p) {
    try {
      deleteTree(p);
    } catch (IOException ignored) {
      // prune finds it later
    }
  }

  static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var s = Files.list(dir)) {
      return new ArrayList<>(s.toList());
    }
  }
}
