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
   * Runs a module's DDL: {@code CREATE TABLE|INDEX IF NOT EXISTS …} statements separated by ';'. Each runs on its
   * own, outside an explicit transaction: SQLite takes the write lock only for a statement that creates something,
   * and one that finds its table or index there reads the schema and writes nothing, so that a command that only
   * reads never waits for another process's write. A statement interrupted by a crash is created by the next
   * command; two processes creating the same table at once are serialised by the write lock, and the second finds
   * it there.
   */
  public void ensureSchema(String ddl) {
    // a command makes several users of one schema (the unpacker, the root manager, df): each runs once per connection
    if (ensured.contains(ddl)) {
      return;
    }
    read(c -> {
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

  /** A unit of work against the database. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one IMMEDIATE transaction, committed when it returns, rolled back if it throws. Called from
   * within another transaction's work, it is part of that transaction.
   */
  public synchronized <T> T inTransaction(Work<T> work) {
    try {
      if (!conn.getAutoCommit()) {
        return work.run(conn);
      }
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

  /** Runs a read without an explicit transaction (within a transaction's work, it reads in that transaction). */
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
