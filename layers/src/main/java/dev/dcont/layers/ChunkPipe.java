package dev.dcont.layers;

import dev.dcont.store.content.Sha256;
import dev.dcont.store.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Decompresses a layer on its own thread while the caller hashes the uncompressed bytes, reads the tar
 * stream and writes files: the two halves of an unpack take similar time, and this overlaps them. Also stops
 * the stream at the uncompressed byte limit.
 */
final class ChunkPipe extends InputStream {
  private static final int CHUNK = 1 << 20;
  private static final int CHUNKS = 6;

  private record Chunk(byte[] buf, int len, IOException error) {
    boolean eof() {
      return len < 0 && error == null;
    }
  }

  private final InputStream source;
  private final long maxBytes;
  private final UnpackBudget.Layer budget;
  private final Sha256 sha = Sha256.create();
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS);
  private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(CHUNKS + 1);
  private final Thread thread;
  private Chunk current;
  private int pos;
  private boolean ended;
  private volatile long count;

  /** {@code budget}: the image-wide share of this layer, or null. */
  ChunkPipe(InputStream source, long maxBytes, UnpackBudget.Layer budget, String name) {
    this.source = source;
    this.maxBytes = maxBytes;
    this.budget = budget;
    for (int i = 0; i < CHUNKS; i++) {
      free.add(new byte[CHUNK]);
    }
    thread = new Thread(this::produce, "inflate " + name);
    thread.setDaemon(true);
    thread.start();
  }

  private void produce() {
    try {
      while (true) {
        byte[] buf = free.take();
        int n = source.readNBytes(buf, 0, buf.length);
        if (n > 0) {
          count += n;
          if (count > maxBytes) {
            full.put(new Chunk(null, -1, new LayerApplier.LimitExceededException("uncompressed layer is over "
                + "the limit of " + maxBytes + " bytes (a decompression bomb? raise DCONT_MAX_LAYER_BYTES if the "
                + "layer is genuine)")));
            return;
          }
          if (budget != null && !budget.addBytes(n)) {
            full.put(new Chunk(null, -1, new LayerApplier.LimitExceededException(budget.bytesProblem())));
            return;
          }
          full.put(new Chunk(buf, n, null));
        }
        if (n < buf.length) {
          full.put(new Chunk(null, -1, null));
          return;
        }
      }
    } catch (InterruptedException e) {
      // the reader gave up
    } catch (IOException e) {
      full.offer(new Chunk(null, -1, e));
    } catch (RuntimeException e) {
      full.offer(new Chunk(null, -1, new IOException(e.toString(), e)));
    }
  }

  private boolean advance() throws IOException {
    if (ended) {
      return false;
    }
    if (current != null && current.buf() != null) {
      free.add(current.buf());
    }
    try {
      current = full.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("unpack interrupted");
    }
    pos = 0;
    if (current.error() != null) {
      ended = true;
      throw current.error();
    }
    if (current.eof()) {
      ended = true;
      return false;
    }
    // hashed here, by the reader, rather than by the inflating thread: inflating is the longer half
    sha.update(current.buf(), 0, current.len());
    return true;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (current == null || current.buf() == null || pos >= current.len()) {
      if (!advance()) {
        return -1;
      }
    }
    int n = Math.min(len, current.len() - pos);
    System.arraycopy(current.buf(), pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  /** Reads to the end of the stream and returns its SHA-256. */
  Digest drainAndDigest() throws IOException {
    while (advance()) {
      // the digest covers the blocks after the archive's end marker too
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("unpack interrupted");
    }
    return sha.digest();
  }

  long count() {
    return count;
  }

  @Override
  public void close() throws IOException {
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    source.close();
  }
}
