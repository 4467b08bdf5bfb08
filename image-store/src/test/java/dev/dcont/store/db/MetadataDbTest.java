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

  /** The reading of CREATE … IF NOT EXISTS statements, against the regular expression it replaced. */
  @Test
  void createIfMissingStatementsAreReadAsThePatternReadThem() {
    java.util.regex.Pattern oracle = java.util.regex.Pattern.compile(
        "\\s*CREATE\\s+(?:UNIQUE\\s+)?(TABLE|INDEX|VIEW|TRIGGER)\\s+IF\\s+NOT\\s+EXISTS\\s+(\\w+)\\b.*",
        java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.DOTALL);
    String[] statements = {
        "CREATE TABLE IF NOT EXISTS things (id TEXT)",
        "\n      CREATE TABLE IF NOT EXISTS rootfs (\n  container_id TEXT PRIMARY KEY)",
        "create unique index if not exists a_b ON t(x)",
        "CREATE\tINDEX\r\nIF  NOT\fEXISTS\u000Bidx_1 ON t(x)",
        "CREATE VIEW IF NOT EXISTS v AS SELECT 1",
        "CREATE TRIGGER IF NOT EXISTS tr AFTER INSERT ON t BEGIN SELECT 1; END",
        "CREATE TABLE IF NOT EXISTS t",
        "CREATE TABLE IF NOT EXISTS t(",
        "CREATE TABLE IF NOT EXISTS (x)",
        "CREATE TABLE IF NOT EXISTS",
        "CREATE TABLE IF NOT EXISTS ",
        "CREATE TABLE things (id TEXT)",
        "CREATE TEMP TABLE IF NOT EXISTS t (x)",
        "CREATE UNIQUE TABLE IF NOT EXISTS t (x)",
        "CREATEX TABLE IF NOT EXISTS t (x)",
        "CREATE TABLEX IF NOT EXISTS t (x)",
        "CREATE TABLE IFNOT EXISTS t (x)",
        "CREATE UNIQUE UNIQUE INDEX IF NOT EXISTS t ON u(x)",
        "ALTER TABLE t ADD COLUMN x",
        "INSERT INTO t VALUES (1)",
        "   ",
        "",
        "CREATE INDEX IF NOT EXISTS Mixed_Case ON t(x)",
        "CREATE INDEX IF NOT EXISTS é ON t(x)",
        "CREATE INDEX IF NOT EXISTS a-b ON t(x)",
        "CREATE TABLE IF NOT EXISTS \"quoted\" (x)",
    };
    for (String st : statements) {
      java.util.regex.Matcher m = oracle.matcher(st);
      String expected = m.matches() ? m.group(1).toLowerCase(java.util.Locale.ROOT) + " "
          + m.group(2).toLowerCase(java.util.Locale.ROOT) : null;
      assertEquals(expected, MetadataDb.createdIfMissing(st), "'" + st + "'");
    }
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
}
