package dev.dcont.store;

import dev.dcont.store.content.ContentStore;
import dev.dcont.store.db.ContainerRepository;
import dev.dcont.store.db.ImageRepository;
import dev.dcont.store.db.MetadataDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An opened store: its layout, blobs and database.
 *
 * <p>The database can be opened after the store object exists ({@link #openLater}): a command can then reach
 * the registry or build its command line while SQLite's driver starts on another thread, and its first use of
 * {@link #db()}, {@link #images()} or {@link #containers()} waits for the opening (or does it, if no other
 * thread has begun). A failure to open is thrown to every caller of those methods.
 */
public final class Store implements AutoCloseable {
  private static final int PENDING = 0;
  private static final int OPENING = 1;
  private static final int OPEN = 2;
  private static final int FAILED = 3;
  private static final int CLOSED = 4;

  private final StoreLayout layout;
  private final ContentStore content;
  private int state = PENDING;
  private MetadataDb db;
  private ImageRepository images;
  private ContainerRepository containers;
  private RuntimeException failure;

  private Store(StoreLayout layout) {
    this.layout = layout;
    this.content = new ContentStore(layout);
  }

  /** Opens the store and its database now. */
  public static Store open(Path root) {
    Store s = openLater(root);
    try {
      s.finishOpening();
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** The store at {@code root}, its database opened by {@link #finishOpening} or at first use. */
  public static Store openLater(Path root) {
    return new Store(new StoreLayout(root));
  }

  /** Opens the database on this thread, unless another thread did or does (then waits for it). */
  public void finishOpening() {
    db();
  }

  public StoreLayout layout() {
    return layout;
  }

  public ContentStore content() {
    return content;
  }

  public MetadataDb db() {
    synchronized (this) {
      awaitOpening();
      switch (state) {
        case OPEN:
          return db;
        case FAILED:
          throw failure;
        case CLOSED:
          throw new StoreException("store " + layout.root() + " is closed");
        default:
          state = OPENING;
      }
    }
    MetadataDb d = null;
    ImageRepository repo = null;
    RuntimeException f = null;
    try {
      closeToOthers(layout);
      d = MetadataDb.open(layout.database());
      repo = new ImageRepository(d);
    } catch (RuntimeException e) {
      f = e;
      if (d != null) {
        d.close();
      }
    }
    synchronized (this) {
      if (f == null) {
        db = d;
        images = repo;
        state = OPEN;
      } else {
        failure = f;
        state = FAILED;
      }
      notifyAll();
    }
    if (f != null) {
      throw f;
    }
    return d;
  }

  public ImageRepository images() {
    db();
    synchronized (this) {
      return images;
    }
  }

  public ContainerRepository containers() {
    MetadataDb d = db();
    synchronized (this) {
      if (containers == null) {
        containers = new ContainerRepository(d);
      }
      return containers;
    }
  }

  /** Closes the database, after waiting for an opening in progress. */
  @Override
  public void close() {
    MetadataDb d;
    synchronized (this) {
      awaitOpening();
      d = state == OPEN ? db : null;
      state = CLOSED;
    }
    if (d != null) {
      d.close();
    }
  }

  /**
   * Makes the root 0700 (creating it if need be), so that no other user reaches anything under it: containers'
   * bundles and runtime state carry the secrets given with {@code -e}, and snapshots and containers' upper
   * directories hold setuid files (CVE-2021-41091). Nothing needs another user to traverse it (dcont does not map
   * containers to other uids), so unlike Docker's 0710 there is no group to let in. A store made by an earlier
   * dcont (0755 directories, 0644 files) is tightened here: the root, the top-level directories and the database
   * files, a few chmods once; what lies deeper is out of reach behind the root. Every later opening costs a stat
   * of the root. The chmods are skipped where this user may not make them (another user's store, which it cannot
   * open anyway) or cannot make at all (a read-only file system).
   */
  static void closeToOthers(StoreLayout layout) {
    Path root = layout.root();
    try {
      if (!Files.isDirectory(root)) {
        OwnerOnly.createDirectories(root);
        return;
      }
      if (!OwnerOnly.openToOthers(root)) {
        return;
      }
      for (Path dir : layout.topLevelDirs()) {
        OwnerOnly.tighten(dir);
      }
      for (Path file : layout.databaseFiles()) {
        OwnerOnly.tighten(file);
      }
      OwnerOnly.tighten(root);
    } catch (java.nio.file.FileSystemException e) {
      // not this user's store, or a read-only one: opening the database tells what this user may do there
    } catch (IOException e) {
      throw StoreException.io("store " + root, e);
    }
  }

  /** Waits (holding this store's monitor) until no thread is opening the database. */
  private void awaitOpening() {
    boolean interrupted = false;
    while (state == OPENING) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
