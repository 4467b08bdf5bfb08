package dev.dcont.layers;

import dev.dcont.store.db.MetadataDb;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The snapshotter's rows for containers' roots and views: table {@code rootfs} (one row per key: the image, the
 * parent snapshot, the state {@code prepared}, {@code mounted}, {@code unmounted} or {@code view}) and
 * {@code rootfs_layers} (the stack of committed snapshots under it, base first). The rows are written before any
 * directory, so a crash leaves nothing {@link StorePruner} cannot find.
 */
final class RootfsTable {
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

  private final MetadataDb db;

  RootfsTable(MetadataDb db) {
    this.db = db;
    db.ensureSchema(SCHEMA);
  }

  /** Records {@code key} over {@code stack} (base first); fails when the key has a row already. */
  void insert(Connection c, String key, Digest image, ChainId parent, String state, List<ChainId> stack)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO rootfs(container_id, image, top_chain_id, "
        + "state, created) VALUES (?,?,?,?,?)")) {
      ps.setString(1, key);
      ps.setString(2, image == null ? null : image.toString());
      ps.setString(3, parent.toString());
      ps.setString(4, state);
      ps.setLong(5, System.currentTimeMillis());
      ps.executeUpdate();
    } catch (SQLException e) {
      if (String.valueOf(e.getMessage()).contains("UNIQUE")) {
        throw new LayerException("container " + RootfsManager.abbrev(key) + ": a root file system exists already "
            + "(remove it first)");
      }
      throw e;
    }
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO rootfs_layers(container_id, position, chain_id) VALUES (?,?,?)")) {
      for (int i = 0; i < stack.size(); i++) {
        ps.setString(1, key);
        ps.setInt(2, i);
        ps.setString(3, stack.get(i).toString());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * The snapshots of the stack under {@code key}, base first (empty when it has no row); {@code missing} is told of
   * a chain ID the stack names that has no snapshot.
   */
  List<Snapshot> stack(String key, java.util.function.Consumer<ChainId> missing) {
    return db.read(c -> {
      List<Snapshot> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT " + SnapshotTable.S_COLUMNS + ", r.chain_id "
          + "FROM rootfs_layers r LEFT JOIN snapshots s ON s.chain_id = r.chain_id WHERE r.container_id = ? "
          + "ORDER BY r.position")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (rs.getString(2) == null) {
              missing.accept(ChainId.parse(rs.getString(10)));
            } else {
              out.add(SnapshotTable.row(rs));
            }
          }
        }
      }
      return out;
    });
  }

  /** A key whose stack holds {@code chainId}, or null. */
  static String stackedOn(Connection c, ChainId chainId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT container_id FROM rootfs_layers WHERE chain_id = ? LIMIT 1")) {
      ps.setString(1, chainId.toString());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  Optional<RootfsManager.Rootfs> find(String key) {
    List<RootfsManager.Rootfs> found = rows("WHERE container_id = ?", key);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  List<RootfsManager.Rootfs> list() {
    return rows("ORDER BY created", null);
  }

  private List<RootfsManager.Rootfs> rows(String where, String arg) {
    return db.read(c -> {
      List<RootfsManager.Rootfs> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT container_id, image, top_chain_id, state, created FROM rootfs " + where)) {
        if (arg != null) {
          ps.setString(1, arg);
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String top = rs.getString(3);
            out.add(new RootfsManager.Rootfs(rs.getString(1), rs.getString(2), top == null ? null : ChainId.parse(top),
                rs.getString(4), rs.getLong(5)));
          }
        }
      }
      return out;
    });
  }

  /** Records whether a container's root is mounted; a view's state stays {@code view}. */
  void setState(String key, String state) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE rootfs SET state = ?, mounted_at = CASE WHEN ? = 'mounted' THEN ? ELSE mounted_at END "
              + "WHERE container_id = ? AND state <> 'view'")) {
        ps.setString(1, state);
        ps.setString(2, state);
        ps.setLong(3, System.currentTimeMillis());
        ps.setString(4, key);
        ps.executeUpdate();
      }
      return null;
    });
  }

  void delete(String key) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM rootfs WHERE container_id = ?")) {
        ps.setString(1, key);
        ps.executeUpdate();
      }
      return null;
    });
  }
}
