package dev.dcont.layers;

import dev.dcont.store.db.MetadataDb;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The snapshotter's rows for committed snapshots: table {@code snapshots}, one row per unpacked layer. */
final class SnapshotTable {
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
  static final String COLUMNS = "id, chain_id, parent, diff_id, layer_digest, link, size, files, created";
  /** {@link #COLUMNS} of a table named {@code s} in a join. */
  static final String S_COLUMNS = "s.id, s.chain_id, s.parent, s.diff_id, s.layer_digest, s.link, s.size, s.files, "
      + "s.created";
  /** More than the overlayfs stack limit (500): a parent chain this deep is a broken one. */
  static final int MAX_DEPTH = 1000;

  private final MetadataDb db;

  SnapshotTable(MetadataDb db) {
    this.db = db;
    db.ensureSchema(SCHEMA);
  }

  Optional<Snapshot> get(ChainId chainId) {
    return db.read(c -> get(c, chainId));
  }

  static Optional<Snapshot> get(Connection c, ChainId chainId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM snapshots WHERE chain_id = ?")) {
      ps.setString(1, chainId.toString());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  /** Every row, in the order they were recorded. */
  Map<ChainId, Snapshot> all() {
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

  static Snapshot row(ResultSet rs) throws SQLException {
    String parent = rs.getString(3);
    String layer = rs.getString(5);
    return new Snapshot(rs.getLong(1), ChainId.parse(rs.getString(2)), parent == null ? null : ChainId.parse(parent),
        Digest.parse(rs.getString(4)), layer == null ? null : Digest.parse(layer), rs.getString(6), rs.getLong(7),
        rs.getLong(8), rs.getLong(9));
  }

  /**
   * The snapshots {@code top} stacks on and itself, base first, from the parents the rows record; fails when
   * {@code top} is not committed or a parent below it is missing.
   */
  static List<Snapshot> stack(Connection c, ChainId top) throws SQLException {
    List<Snapshot> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("WITH RECURSIVE stack(" + COLUMNS + ", depth) AS ("
        + "SELECT " + COLUMNS + ", 0 FROM snapshots WHERE chain_id = ? UNION ALL SELECT " + S_COLUMNS
        + ", stack.depth + 1 FROM snapshots s JOIN stack "
        + "ON s.chain_id = stack.parent WHERE stack.depth < " + MAX_DEPTH + ") SELECT " + COLUMNS
        + " FROM stack ORDER BY depth DESC")) {
      ps.setString(1, top.toString());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
    }
    if (out.isEmpty()) {
      throw new LayerException("snapshot " + top + ": not a committed snapshot (unpack the image first)");
    }
    if (out.get(0).parent() != null) {
      throw new LayerException("snapshot " + out.get(0).chainId() + ": its parent " + out.get(0).parent()
          + " is missing (run 'dcont system check')");
    }
    return out;
  }

  /** Inserts a row; its link is its id in base 36. */
  static Snapshot insert(Connection c, ChainId chainId, ChainId parent, Snapshotter.Layer layer) throws SQLException {
    long now = System.currentTimeMillis();
    long id;
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO snapshots(chain_id, parent, diff_id, "
        + "layer_digest, link, size, files, created) VALUES (?,?,?,?,'',?,?,?)",
        java.sql.Statement.RETURN_GENERATED_KEYS)) {
      ps.setString(1, chainId.toString());
      ps.setString(2, parent == null ? null : parent.toString());
      ps.setString(3, layer.diffId().toString());
      ps.setString(4, layer.layerDigest() == null ? null : layer.layerDigest().toString());
      ps.setLong(5, layer.usage().size());
      ps.setLong(6, layer.usage().inodes());
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
    return new Snapshot(id, chainId, parent, layer.diffId(), layer.layerDigest(), link, layer.usage().size(),
        layer.usage().inodes(), now);
  }

  /** A snapshot whose parent is {@code chainId}, or null. */
  static String child(Connection c, ChainId chainId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT chain_id FROM snapshots WHERE parent = ? LIMIT 1")) {
      ps.setString(1, chainId.toString());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  static void delete(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM snapshots WHERE id = ?")) {
      ps.setLong(1, id);
      ps.executeUpdate();
    }
  }

  /** The snapshots {@code top} stacks on and itself, base first, as far as {@code all} has them. */
  static List<Snapshot> stack(Map<ChainId, Snapshot> all, ChainId top) {
    List<Snapshot> out = new ArrayList<>();
    for (Snapshot s = all.get(top); s != null && out.size() < MAX_DEPTH; s = s.parent() == null ? null
        : all.get(s.parent())) {
      out.add(s);
    }
    java.util.Collections.reverse(out);
    return out;
  }

}
