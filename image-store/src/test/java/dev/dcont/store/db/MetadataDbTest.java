package dev.dcont.store.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataDbTest {
  @TempDir
  Path dir;

  private static final String DDL = """
      CREATE TABLE IF NOT EXISTS things (id TEXT PRIMARY KEY, size INTEGER);
      CREATE INDEX IF NOT EXISTS things_size ON things(size);
      """;

  private static List<String> schema(MetadataDb db) {
    return db.read(c -> {
      List<String> out = new ArrayList<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT type || ' ' || name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    });
  }

  @Test
  void aSchemaAlreadyThereIsCheckedWithoutWaitingForAWriter() throws Exception {
    Path file = dir.resolve("dcont.db");
    try (MetadataDb db = MetadataDb.open(file)) {
      db.ensureSchema(DDL);
      assertEquals(List.of("table things", "index things_size"), schema(db));
    }
    // another process is in the middle of a write transaction
    try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement w = writer.createStatement()) {
      w.execute("BEGIN IMMEDIATE");
      w.execute("INSERT INTO things VALUES ('a', 1)");
      try (MetadataDb db = MetadataDb.open(file)) {
        // a command that only reads gets on with it (its schema check took the write lock before: a wait of up
        // to the busy timeout, a minute)
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> db.ensureSchema(DDL));
      }
      w.execute("COMMIT");
    }
    // a schema that grew since is still created
    try (MetadataDb db = MetadataDb.open(file)) {
      db.ensureSchema(DDL + "CREATE INDEX IF NOT EXISTS things_id_size ON things(id, size);");
      assertEquals(List.of("table things", "index things_id_size", "index things_size"), schema(db));
    }
  }

  @Test
  void aTransactionCalledFromAnotherIsPartOfIt() {
    try (MetadataDb db = MetadataDb.open(dir.resolve("dcont.db"))) {
      db.ensureSchema(DDL);
      RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () ->
          db.inTransaction(c -> {
            db.inTransaction(inner -> {
              try (Statement st = inner.createStatement()) {
                st.execute("INSERT INTO things VALUES ('inner', 1)");
              }
              return null;
            });
            throw new IllegalStateException("the outer work fails after the inner one returned");
          }));
      assertEquals("the outer work fails after the inner one returned", e.getMessage());
      int rows = db.read(c -> {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM things")) {
          rs.next();
          return rs.getInt(1);
        }
      });
      assertEquals(0, rows, "the inner insert was rolled back with the outer transaction");
    }
  }
}
