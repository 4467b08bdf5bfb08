package dev.dcont.store.content;

import dev.dcont.store.OwnerOnly;
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
 *
 * <p>A blob of a megabyte or more is written with {@code O_DIRECT} where the file system allows it, in aligned
 * blocks of {@link #STAGE} bytes gathered in memory (the last, unaligned bytes are written normally): nothing
 * reads a layer's compressed bytes back while it is pulled (the unpacker is fed as they arrive), so passing them
 * through the page cache would only cost memory to fill (a page to take and clear per 4 KiB) and, at the fsync,
 * time to write it all out. Bytes gathered but not yet written are written by {@link #commit} and
 * {@link #close}; a killed process loses at most those, and the next pull resumes from what is on disk.
 */
public final class IngestWriter implements Closeable {
  private final Digest expected;
  private final long expectedSize;
  private final Path partial;
  private final Path target;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Runnable onClose;
  /** Blocks written with O_DIRECT must start, end and sit in memory at multiples of this. */
  static final int ALIGN = 4096;
  /** What is gathered before an O_DIRECT write; blobs smaller than this are written normally. */
  static final int STAGE = 1 << 20;

  private FileChannel out;
  /** The same file opened with O_DIRECT, or null (small blob, or a file system without it). */
  private FileChannel direct;
  /** Bytes from file offset {@link #stageStart} on, not yet written; only with {@link #direct}. */
  private ByteBuffer stage;
  private long stageStart;
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
    this.out = FileChannel.open(partial, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.READ), OwnerOnly.fileAttribute());
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
    if (expectedSize - written >= STAGE) {
      openDirect();
    }
  }

  /** Opens the O_DIRECT channel, if the file system has it, and gathers from the last aligned offset on. */
  private void openDirect() throws IOException {
    try {
      direct = FileChannel.open(partial, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
    } catch (IOException | UnsupportedOperationException e) {
      direct = null; // tmpfs and some others refuse it: the page cache it is
      return;
    }
    stage = ByteBuffer.allocateDirect(STAGE + ALIGN).alignedSlice(ALIGN);
    stageStart = written - written % ALIGN;
    // the bytes of the last, unaligned block already on disk go out again with the first aligned write
    stage.limit((int) (written - stageStart));
    while (stage.hasRemaining()) {
      if (out.read(stage, stageStart + stage.position()) < 0) {
        throw new IOException(partial + ": shorter than it was a moment ago");
      }
    }
    stage.limit(stage.capacity());
  }

  /** Whether this writer writes with O_DIRECT (for tests). */
  boolean isDirect() {
    return direct != null;
  }

  /**
   * Writes what is gathered: its aligned blocks with O_DIRECT, then, when {@code all}, the unaligned rest through
   * the page cache (it stays gathered too, so that later bytes can complete its block).
   */
  private void flushStage(boolean all) throws IOException {
    stage.flip();
    int aligned = stage.limit() - stage.limit() % ALIGN;
    int end = stage.limit();
    stage.limit(aligned);
    while (stage.hasRemaining()) {
      direct.write(stage, stageStart + stage.position());
    }
    stage.limit(end);
    if (all && aligned < end) {
      ByteBuffer tail = stage.duplicate();
      while (tail.hasRemaining()) {
        out.write(tail, stageStart + tail.position());
      }
    }
    stageStart += aligned;
    stage.compact();
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
    if (direct != null) {
      stage.clear();
      stageStart = 0;
    }
    written = 0;
    hasher = newHasher(expected);
  }

  public void write(byte[] b, int off, int len) throws IOException {
    if (written + len > expectedSize) {
      throw new DigestMismatchException("blob " + expected + ": more than the " + expectedSize
          + " bytes declared in its descriptor");
    }
    hasher.update(b, off, len);
    try {
      if (direct != null) {
        while (len > 0) {
          int n = Math.min(len, stage.remaining());
          stage.put(b, off, n);
          off += n;
          len -= n;
          written += n;
          if (!stage.hasRemaining()) {
            flushStage(false);
          }
        }
        return;
      }
      ByteBuffer buf = ByteBuffer.wrap(b, off, len);
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
      if (direct != null) {
        flushStage(true);
        direct.close();
      }
      out.force(true);
      out.close();
      OwnerOnly.createDirectories(target.getParent());
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
    if (direct != null) {
      direct.close();
    }
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
      // what is gathered goes to the partial file, so that a later pull resumes after it
      try (FileChannel d = direct; FileChannel o = out) {
        if (d != null && d.isOpen() && o.isOpen()) {
          flushStage(true);
        }
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
