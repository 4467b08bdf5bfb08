package dev.dcont.store.db;

import dev.dcont.store.OwnerOnly;
import dev.dcont.store.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/**
 * The store's SQLite database ({@code dcont.db}, WAL, busy timeout). One connection per process;
 * every multi-step change runs in {@link #inTransaction}. Each module creates its own tables
 * with {@link #ensureSchema}.
 */
public final class MetadataDb implements AutoCloseable {
  private final Connection conn;
  private final Path file;
  /** The DDL texts {@link #ensureSchema} has found or made on this connection. */
  private final java.util.Set<String> ensured = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private MetadataDb(Path file, Connection conn) {
    this.file = file;
    this.conn = conn;
  }

  public static MetadataDb open(Path file) {
    try {
      OwnerOnly.createDirectories(file.getParent());
      // SQLite gives its write-ahead log and shared-memory file the database's mode: all three 0600
      if (!java.nio.file.Files.exists(file)) {
        OwnerOnly.createFile(file);
      }
      SQLiteConfig cfg = new SQLiteConfig();
      cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
      cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
      cfg.setBusyTimeout(60_000);
      cfg.enforceForeignKeys(true);
      cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
      Connection c = cfg.createConnection("jdbc:sqlite:" + file);
      checkVersion(file, c);
      return new MetadataDb(file, c);
    } catch (SQLException | java.io.IOException e) {
      throw new StoreException("database " + file + ": cannot open (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Version of the database layout this dcont writes ({@code PRAGMA user_version}). A store written by
   * a newer dcont is refused rather than misread; a later layout change raises this number and adds its
   * migration here.
   */
  public static final int SCHEMA_VERSION = 1;

  private static void checkVersion(Path file, Connection c) throws SQLException {
    int v;
    try (Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery("PRAGMA user_version")) {
      v = rs.next() ? rs.getInt(1) : 0;
    }
    if (v > SCHEMA_VERSION) {
      c.close();
      throw new StoreException("database " + file + " was written by a newer dcont (layout " + v + ", this one reads "
          + SCHEMA_VERSION + "); use that dcont, or another --root");
    }
    if (v < SCHEMA_VERSION) {
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA user_version = " + SCHEMA_VERSION);
      }
    }
  }

  public Path file() {
    return file;
  }

  /**
   * {@code "type name"} (lower case) of a {@code CREATE [UNIQUE] TABLE|INDEX|VIEW|TRIGGER IF NOT EXISTS name …}
   * statement, which {@link #ensureSchema} can check against the schema; null for any other statement. Read
   * by hand rather than with a regular expression: {@code \\s} in a pattern costs ~5 ms of every command's
   * start-up (the JDK builds its character predicates from lambdas).
   */
  static String createdIfMissing(String statement) {
    Words w = new Words(statement);
    if (!w.next("create")) {
      return null;
    }
    w.next("unique");
    String type = w.word();
    if (type == null || !(type.equals("table") || type.equals("index") || type.equals("view")
        || type.equals("trigger"))) {
      return null;
    }
    if (!w.next("if") || !w.next("not") || !w.next("exists")) {
      return null;
    }
    String name = w.name();
    return name == null ? null : type + " " + name;
  }

  /** Whitespace-separated words of a statement, as the pattern {@code \\s+} separated them. */
  private static final class Words {
    private final String s;
    private int i;

    Words(String s) {
      this.s = s;
    }

    private static boolean space(char c) {
      return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    private static boolean wordChar(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    /** The next word, lower case, if whitespace (or the start) is before it and after it; else null. */
    String word() {
      int start = skipSpace();
      if (start < 0) {
        return null;
      }
      int end = start;
      while (end < s.length() && !space(s.charAt(end))) {
        end++;
      }
      if (end == s.length() || end == start) {
        return null; // the pattern wants more after each keyword
      }
      i = end;
      return s.substring(start, end).toLowerCase(java.util.Locale.ROOT);
    }

    /** Takes the next word if it is {@code lower} (in any case); otherwise leaves the position as it was. */
    boolean next(String lower) {
      int at = i;
      String w = word();
      if (lower.equals(w)) {
        return true;
      }
      i = at;
      return false;
    }

    /** A name of word characters after whitespace, lower case; null if there is none. */
    String name() {
      int start = skipSpace();
      if (start < 0) {
        return null;
      }
      int end = start;
      while (end < s.length() && wordChar(s.charAt(end))) {
        end++;
      }
      return end == start ? null : s.substring(start, end).toLowerCase(java.util.Locale.ROOT);
    }

    /** Skips whitespace; -1 unless there was some (or this is the start) and a character follows it. */
    private int skipSpace() {
      int j = i;
      while (j < s.length() && space(s.charAt(j))) {
        j++;
      }
      if ((j == i && i != 0) || j == s.length()) {
        return -1;
      }
      return j;
    }
  }

  /**
   * Runs DDL statements ({@code CREATE TABLE IF NOT EXISTS …}) separated by ';'. When every statement creates
   * something that is already there, as in every command after a store's first, nothing is run: a read of the
   * schema instead of a write transaction, so that a command that only reads never waits for another process's
   * write.
   */
  public void ensureSchema(String ddl) {
    // a command makes several users of one schema (SnapshotStore.of in the unpacker, the root manager, df):
    // each schema is checked once per connection
    if (ensured.contains(ddl)) {
      return;
    }
    if (read(c -> schemaPresent(c, ddl))) {
      ensured.add(ddl);
      return;
    }
    inTransaction(c -> {
      try (Statement st = c.createStatement()) {
        for (String s : ddl.split(";")) {
          if (!s.isBlank()) {
            st.execute(s);
          }
        }
      }
      return null;
    });
    ensured.add(ddl);
  }

  private static boolean schemaPresent(Connection c, String ddl) throws SQLException {
    java.util.Set<String> wanted = new java.util.HashSet<>();
    for (String s : ddl.split(";")) {
      if (s.isBlank()) {
        continue;
      }
      String created = createdIfMissing(s);
      if (created == null) {
        return false; // a statement of another kind: it has to run
      }
      wanted.add(created);
    }
    try (Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT type, name FROM sqlite_master")) {
      while (rs.next()) {
        wanted.remove(rs.getString(1).toLowerCase(java.util.Locale.ROOT) + " "
            + rs.getString(2).toLowerCase(java.util.Locale.ROOT));
      }
    }
    return wanted.isEmpty();
  }

  /** A unit of work against the database. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} in one IMMEDIATE transaction, committed when it returns, rolled back if it throws. */
  public synchronized <T> T inTransaction(Work<T> work) {
    try {
      conn.setAutoCommit(false);
      try {
        T result = work.run(conn);
        conn.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          conn.rollback();
        } catch (SQLException ignored) {
          // the original failure is the one to report
        }
        throw e;
      } finally {
        conn.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StoreException("database " + file + ": " + e.getMessage(), e);
    }
  }

  /** Runs a read without an explicit transaction. */
  public synchronized <T> T read(Work<T> work) {
    try {
      return work.run(conn);
    } catch (SQLException e) {
      throw new StoreException("database " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      conn.close();
    } catch (SQLException ignored) {
      // nothing to do on close
    }
  }
}
