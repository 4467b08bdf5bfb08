package dev.dcont.store.db;

import dev.dcont.store.StoreException;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Containers in the metadata database: names and short IDs as Docker resolves them. */
public final class ContainerRepository {
  static final String SCHEMA = """
      CREATE TABLE IF NOT EXISTS containers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        image_manifest TEXT NOT NULL,
        image_name TEXT NOT NULL,
        command TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        auto_remove INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'created',
        exit_code INTEGER,
        started_at INTEGER NOT NULL DEFAULT 0,
        finished_at INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS containers_image ON containers(image_manifest)
      """;

  private final MetadataDb db;

  public ContainerRepository(MetadataDb db) {
    this.db = db;
    db.ensureSchema(SCHEMA);
  }

  /** Inserts a container; fails with a clear message when the name is taken. */
  public void insert(ContainerRecord c) {
    db.inTransaction(conn -> {
      String taken = Sql.single(conn, "SELECT id FROM containers WHERE name = ?", c.name());
      if (taken != null) {
        throw new StoreException("the container name \"/" + c.name() + "\" is already in use by container "
            + taken.substring(0, 12) + " (remove it with 'dcont rm' or choose another --name)");
      }
      try (PreparedStatement ps = conn.prepareStatement(
          "INSERT INTO containers(id, name, image_manifest, image_name, command, created_at, auto_remove) "
              + "VALUES (?,?,?,?,?,?,?)")) {
        ps.setString(1, c.id());
        ps.setString(2, c.name());
        ps.setString(3, c.imageManifest().toString());
        ps.setString(4, c.imageName());
        ps.setString(5, new String(Json.write(c.command()), java.nio.charset.StandardCharsets.UTF_8));
        ps.setLong(6, c.createdAt());
        ps.setInt(7, c.autoRemove() ? 1 : 0);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** Records that a container was started (epoch milliseconds). */
  public void markRunning(String id, long startedAt) {
    update("UPDATE containers SET state = 'running', exit_code = NULL, started_at = ?, finished_at = 0 WHERE id = ?",
        startedAt, id);
  }

  /**
   * Whether a container is removed when it ends ({@code --rm}): {@code restart} turns it off while it stops the
   * container and on again once it started it, as Docker's daemon does.
   */
  public void setAutoRemove(String id, boolean autoRemove) {
    update("UPDATE containers SET auto_remove = ? WHERE id = ?", autoRemove ? 1 : 0, id);
  }

  /** Records a container's exit (epoch milliseconds). */
  public void markExited(String id, int exitCode, long finishedAt) {
    db.inTransaction(conn -> {
      try (PreparedStatement ps = conn.prepareStatement(
          "UPDATE containers SET state = 'exited', exit_code = ?, finished_at = ? WHERE id = ?")) {
        ps.setInt(1, exitCode);
        ps.setLong(2, finishedAt);
        ps.setString(3, id);
        ps.executeUpdate();
      }
      return null;
    });
  }

  private void update(String sql, long value, String id) {
    db.inTransaction(conn -> {
      try (PreparedStatement ps = conn.prepareStatement(sql)) {
        ps.setLong(1, value);
        ps.setString(2, id);
        ps.executeUpdate();
      }
      return null;
    });
  }

  public List<ContainerRecord> list() {
    return db.read(conn -> query(conn, "SELECT * FROM containers ORDER BY created_at DESC, id"));
  }

  public Optional<ContainerRecord> byId(String id) {
    return db.read(conn -> query(conn, "SELECT * FROM containers WHERE id = ?", id).stream().findFirst());
  }

  /** Finds a container by full ID, name, or unique ID prefix, as Docker does. */
  public Optional<ContainerRecord> resolve(String idOrName) {
    return db.read(conn -> {
      String n = idOrName.startsWith("/") ? idOrName.substring(1) : idOrName;
      List<ContainerRecord> exact = query(conn, "SELECT * FROM containers WHERE id = ? OR name = ?", n, n);
      if (!exact.isEmpty()) {
        return Optional.of(exact.get(0));
      }
      if (!n.matches("[a-f0-9]{1,64}")) {
        return Optional.empty();
      }
      List<ContainerRecord> prefix = query(conn, "SELECT * FROM containers WHERE id LIKE ? || '%'", n);
      if (prefix.size() > 1) {
        throw new StoreException("container ID prefix " + n + " is ambiguous (" + prefix.size()
            + " containers match; give more digits or the name)");
      }
      return prefix.stream().findFirst();
    });
  }

  public List<ContainerRecord> usingImage(Digest manifest) {
    return db.read(conn -> query(conn, "SELECT * FROM containers WHERE image_manifest = ?", manifest.toString()));
  }

  public boolean nameTaken(String name) {
    return db.read(conn -> Sql.single(conn, "SELECT id FROM containers WHERE name = ?", name) != null);
  }

  public void delete(String id) {
    db.inTransaction(conn -> {
      try (PreparedStatement ps = conn.prepareStatement("DELETE FROM containers WHERE id = ?")) {
        ps.setString(1, id);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** Every container's state by ID ({@code created}, {@code running}, {@code exited}, ...). */
  public Map<String, String> states() {
    return db.read(conn -> {
      Map<String, String> out = new HashMap<>();
      try (PreparedStatement ps = conn.prepareStatement("SELECT id, state FROM containers");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
      return out;
    });
  }

  /** Deletes the rows of {@code ids}, in one transaction. */
  public void delete(Collection<String> ids) {
    db.inTransaction(conn -> {
      try (PreparedStatement ps = conn.prepareStatement("DELETE FROM containers WHERE id = ?")) {
        for (String id : ids) {
          ps.setString(1, id);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  private static List<ContainerRecord> query(Connection conn, String sql, String... args) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        List<ContainerRecord> out = new ArrayList<>();
        while (rs.next()) {
          List<String> cmd = Json.readStrings(rs.getString("command").getBytes(java.nio.charset.StandardCharsets.UTF_8),
              "container command");
          out.add(new ContainerRecord(rs.getString("id"), rs.getString("name"),
              Digest.parse(rs.getString("image_manifest")), rs.getString("image_name"), cmd,
              rs.getLong("created_at"), rs.getInt("auto_remove") != 0, rs.getString("state"), rs.getObject("exit_code") == null ? null : rs.getInt("exit_code"),
              rs.getLong("started_at"), rs.getLong("finished_at")));
        }
        return out;
      }
    }
  }
}
