package dev.dcont.store.content;

import dev.dcont.store.StoreException;
import dev.dcont.store.model.Digest;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Streams one blob into {@code ingest/<hex>.partial} while hashing it, and commits it into
 * {@code blobs/} only when size and digest match. Holds the blob's ingest lock until closed, so
 * one writer per blob exists across processes. Closing without commit keeps the partial file
 * for a later resume.
 */
public final class IngestWriter implements Closeable {
  private final Digest expected;
  private final long expectedSize;
  private final Path partial;
  private final Path target;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Runnable onClose;
  private FileChannel out;
  private Sha256 hasher;
  private long written;
  private boolean committed;
  private boolean closed;

  IngestWriter(Digest expected, long expectedSize, Path partial, Path target,
      FileChannel lockChannel, FileLock lock, Runnable onClose) throws IOException {
    this.expected = expected;
    this.expectedSize = expectedSize;
    this.partial = partial;
    this.target = target;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.onClose = onClose;
    this.hasher = newHasher(expected);
    this.out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.READ);
    long existing = out.size();
    if (existing > expectedSize) {
      out.truncate(0);
      existing = 0;
    }
    // Re-hash what an earlier attempt left, so that the download can resume after it.
    if (existing > 0) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      long pos = 0;
      while (pos < existing) {
        buf.clear();
        int n = out.read(buf, pos);
        if (n < 0) {
          break;
        }
        hasher.update(buf.array(), 0, n);
        pos += n;
      }
      existing = pos;
    }
    written = existing;
    out.position(written);
  }

  public Digest digest() {
    return expected;
  }

  private static Sha256 newHasher(Digest expected) {
    if (!expected.algorithm().equals("sha256")) {
      throw new DigestMismatchException("blob " + expected + ": only sha256 content is supported");
    }
    return Sha256.create();
  }

  public long expectedSize() {
    return expectedSize;
  }

  /** Bytes already on disk; a download resumes from here. */
  public long offset() {
    return written;
  }

  /** Drops what was written so far (the server ignored a range request). */
  public void restart() throws IOException {
    out.truncate(0);
    out.position(0);
    written = 0;
    hasher = newHasher(expected);
  }

  public void write(byte[] b, int off, int len) throws IOException {
    if (written + len > expectedSize) {
      throw new DigestMismatchException("blob " + expected + ": more than the " + expectedSize
          + " bytes declared in its descriptor");
    }
    hasher.update(b, off, len);
    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
    try {
      while (buf.hasRemaining()) {
        out.write(buf);
      }
    } catch (IOException e) {
      throw StoreException.io("blob " + expected + ": write to " + partial, e);
    }
    written += len;
  }

  /** Copies {@code in} to the end; returns bytes copied. */
  public long writeFrom(InputStream in) throws IOException {
    byte[] buf = new byte[1 << 16];
    long total = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      write(buf, 0, n);
      total += n;
    }
    return total;
  }

  public OutputStream asOutputStream() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        IngestWriter.this.write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        IngestWriter.this.write(b, off, len);
      }
    };
  }

  /**
   * Verifies size and digest, fsyncs, renames into {@code blobs/} and fsyncs the directory. A
   * mismatch deletes the partial file (its bytes are wrong) and throws.
   */
  public void commit() throws IOException {
    commit(null);
  }

  /**
   * As {@link #commit()}; {@code verified}, when not null, runs once size and digest have matched, before the
   * fsync and rename (a reader of the same bytes, such as an unpacker, need not wait for the disk).
   */
  public void commit(Runnable verified) throws IOException {
    if (written != expectedSize) {
      discard();
      throw new DigestMismatchException("blob " + expected + ": size " + written + " != " + expectedSize
          + " declared in its descriptor");
    }
    Digest actual = hasher.digest();
    if (!actual.equals(expected)) {
      discard();
      throw new DigestMismatchException("blob " + expected + ": content has digest " + actual
          + " (the registry sent wrong data; pull again)");
    }
    if (verified != null) {
      verified.run();
    }
    try {
      out.force(true);
      out.close();
      Files.createDirectories(target.getParent());
      try {
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
      }
      ContentStore.fsyncDirectory(target.getParent());
    } catch (IOException e) {
      throw StoreException.io("blob " + expected + ": commit", e);
    }
    committed = true;
  }

  private void discard() throws IOException {
    out.close();
    Files.deleteIfExists(partial);
  }

  public boolean isCommitted() {
    return committed;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (out.isOpen()) {
        out.close();
      }
    } finally {
      try {
        lock.release();
        lockChannel.close();
      } finally {
        onClose.run();
      }
    }
  }
}
