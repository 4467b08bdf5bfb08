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

  /**
   * Stores small content held in memory unless a blob with its digest is there already, and says whether this call
   * added it: a caller whose work then fails removes only what it added, never a blob that was there before.
   */
  public boolean putIfAbsent(Digest digest, byte[] content) {
    if (exists(digest)) {
      return false;
    }
    try {
      put(digest, content);
    } catch (IOException e) {
      throw StoreException.io("blob " + digest, e);
    }
    return true;
  }

  /** A blob written by {@link #ingest}: its digest, and whether this write added it (false: it was there). */
  public record Ingested(Digest digest, long size, boolean added) { }

  /**
   * Writes a blob whose digest is not known before its bytes are (a layer of an archive that names it by path):
   * exactly {@code size} bytes of {@code in} go to a partial file of the ingest directory while they are hashed,
   * and are committed under the digest they have, as {@link IngestWriter#commit} commits. The partial file is
   * held under its lock, so that a collection of partial files leaves it alone; it is gone when this returns.
   */
  public Ingested ingest(InputStream in, long size) throws IOException {
    try {
      OwnerOnly.createDirectories(layout.ingestDir());
      OwnerOnly.createDirectories(layout.blobsDir());
    } catch (IOException e) {
      throw StoreException.io("store " + layout.root(), e);
    }
    String name = "unnamed-" + java.util.UUID.randomUUID().toString().replace("-", "");
    Path partial = layout.ingestPartial(name);
    Path lockFile = layout.ingestLock(name);
    try (FileChannel lockChannel = FileChannel.open(lockFile, java.util.Set.of(StandardOpenOption.CREATE,
        StandardOpenOption.WRITE), OwnerOnly.fileAttribute());
        FileLock lock = lockChannel.lock()) {
      try (FileChannel out = FileChannel.open(partial, java.util.Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), OwnerOnly.fileAttribute())) {
        Sha256 hasher = Sha256.create();
        byte[] buf = new byte[1 << 16];
        long written = 0;
        while (written < size) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, size - written));
          if (n < 0) {
            throw new java.io.EOFException("blob ends after " + written + " of its " + size + " bytes");
          }
          hasher.update(buf, 0, n);
          java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buf, 0, n);
          while (b.hasRemaining()) {
            out.write(b);
          }
          written += n;
        }
        Digest digest = hasher.digest();
        if (exists(digest)) {
          return new Ingested(digest, size, false);
        }
        out.force(true);
        Files.move(partial, layout.blob(digest), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(layout.blobsDir());
        return new Ingested(digest, size, true);
      } finally {
        Files.deleteIfExists(partial);
        Files.deleteIfExists(lockFile);
      }
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
