package dev.dcont.store;

import dev.dcont.store.content.ContentStore;
import dev.dcont.store.db.ContainerRepository;
import dev.dcont.store.db.ImageRepository;
import dev.dcont.store.db.MetadataDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** An opened store: its layout, blobs and database. */
public final class Store implements AutoCloseable {
  private final StoreLayout layout;
  private final ContentStore content;
  private final MetadataDb db;
  private final ImageRepository images;
  private ContainerRepository containers;

  private Store(StoreLayout layout) {
    this.layout = layout;
    this.content = new ContentStore(layout);
    closeToOthers(layout);
    MetadataDb d = MetadataDb.open(layout.database());
    try {
      this.images = new ImageRepository(d);
    } catch (RuntimeException e) {
      d.close();
      throw e;
    }
    this.db = d;
  }

  /** Opens the store at {@code root} and its database, making both if need be. */
  public static Store open(Path root) {
    return new Store(new StoreLayout(root));
  }

  public StoreLayout layout() {
    return layout;
  }

  public ContentStore content() {
    return content;
  }

  public MetadataDb db() {
    return db;
  }

  public ImageRepository images() {
    return images;
  }

  public synchronized ContainerRepository containers() {
    if (containers == null) {
      containers = new ContainerRepository(db);
    }
    return containers;
  }

  @Override
  public void close() {
    db.close();
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
}
