package dev.dcont.store.content;

import dev.dcont.store.OwnerOnly;
import dev.dcont.store.StoreException;
import dev.dcont.store.StoreLayout;
import dev.dcont.store.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/** Content-addressed blobs under {@code blobs/sha256/}, written only through {@link IngestWriter}. */
public final class ContentStore implements BlobReader, Ingester {
  private final StoreLayout layout;
  /** In-process side of the per-blob lock: file locks are per process, not per thread. */
  private final ConcurrentHashMap<Digest, ReentrantLock> local = new ConcurrentHashMap<>();

  public ContentStore(StoreLayout layout) {
    this.layout = layout;
  }

  public StoreLayout layout() {
    return layout;
  }

  @Override
  public boolean exists(Digest digest) {
    return Files.isRegularFile(layout.blob(digest));
  }

  @Override
  public Optional<Path> path(Digest digest) {
    Path p = layout.blob(digest);
    return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
  }

  @Override
  public InputStream open(Digest digest) throws IOException {
    try {
      return Files.newInputStream(layout.blob(digest));
    } catch (NoSuchFileException e) {
      throw new StoreException("blob " + digest + " is not in the store (pull the image again)");
    }
  }

  @Override
  public byte[] readAll(Digest digest) throws IOException {
    try {
      return Files.readAllBytes(layout.blob(digest));
    } catch (NoSuchFileException e) {
      throw new StoreException("blob " + digest + " is not in the store (pull the image again)");
    }
  }

  @Override
  public long size(Digest digest) {
    try {
      return Files.size(layout.blob(digest));
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public Optional<IngestWriter> open(Digest digest, long size) throws IOException {
    if (exists(digest)) {
      return Optional.empty();
    }
    try {
      OwnerOnly.createDirectories(layout.ingestDir());
      OwnerOnly.createDirectories(layout.blobsDir());
    } catch (IOException e) {
      throw StoreException.io("store " + layout.root(), e);
    }
    ReentrantLock threadLock = local.computeIfAbsent(digest, d -> new ReentrantLock());
    threadLock.lock();
    boolean handedOver = false;
    try {
      FileChannel ch = FileChannel.open(layout.ingestLock(digest), java.util.Set.of(StandardOpenOption.CREATE,
          StandardOpenOption.WRITE), OwnerOnly.fileAttribute());
      FileLock lock;
      try {
        lock = ch.lock();
      } catch (OverlappingFileLockException | IOException e) {
        ch.close();
        throw e instanceof IOException io ? io : new IOException(e);
      }
      if (exists(digest)) {
        lock.release();
        ch.close();
        return Optional.empty();
      }
      IngestWriter w = new IngestWriter(digest, size, layout.ingestPartial(digest), layout.blob(digest), ch, lock,
          threadLock::unlock);
      handedOver = true;
      return Optional.of(w);
    } finally {
      if (!handedOver) {
        threadLock.unlock();
      }
    }
  }

  @Override
  public void put(Digest digest, byte[] content) throws IOException {
    Optional<IngestWriter> w = open(digest, content.length);
    if (w.isEmpty()) {
      return;
    }
    try (IngestWriter writer = w.get()) {
      writer.restart();
      writer.write(content, 0, content.length);
      writer.commit();
    }
  }

  /** Deletes a committed blob (garbage collection only). */
  public boolean delete(Digest digest) throws IOException {
    return Files.deleteIfExists(layout.blob(digest));
  }

  /** All committed blobs. */
  public java.util.List<Digest> list() throws IOException {
    Path dir = layout.blobsDir();
    if (!Files.isDirectory(dir)) {
      return java.util.List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> Digest.isValid("sha256:" + n))
          .map(n -> Digest.parse("sha256:" + n))
          .toList();
    }
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
