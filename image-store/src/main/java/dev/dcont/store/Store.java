package dev.dcont.store;

import dev.dcont.store.content.ContentStore;
import dev.dcont.store.db.ContainerRepository;
import dev.dcont.store.db.ImageRepository;
import dev.dcont.store.db.MetadataDb;
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
    this.db = MetadataDb.open(layout.database());
    this.images = new ImageRepository(db);
  }

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
}
