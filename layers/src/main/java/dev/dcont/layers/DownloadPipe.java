package dev.dcont.layers;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Carries a layer blob from a download thread to the thread unpacking it, through a fixed set of 1 MiB
 * buffers (the download waits when the unpacker is that far behind). The stream ends only with
 * {@link #finish()}, which the download calls after the blob's digest was verified, and fails with
 * {@link #fail}; so a reader that reaches the end knows the blob is good. Once the reader has closed its end,
 * writes are dropped: an unpacker that gave up never holds a download back.
 */
final class DownloadPipe extends InputStream {
  private static final int CHUNK = 1 << 20;
  private static final int CHUNKS = 8;
  private static final Segment END = new Segment(null, 0);

  private record Segment(byte[] buf, int len) { }

  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS);
  private final BlockingQueue<Segment> full = new ArrayBlockingQueue<>(CHUNKS + 2);
  private volatile IOException failure;
  private volatile boolean readerClosed;
  // writer side
  private byte[] filling;
  private int filled;
  private boolean writerDone;
  // reader side
  private Segment current;
  private int pos;
  private boolean ended;

  DownloadPipe() {
    for (int i = 0; i < CHUNKS; i++) {
      free.add(new byte[CHUNK]);
    }
  }

  // ---- writer (the download thread)

  void write(byte[] b, int off, int len) throws IOException {
    if (writerDone) {
      throw new IllegalStateException("pipe already finished");
    }
    while (len > 0) {
      if (readerClosed) {
        return;
      }
      if (filling == null) {
        filling = takeFree();
        if (filling == null) {
          return; // the reader went away while we waited
        }
        filled = 0;
      }
      int n = Math.min(len, filling.length - filled);
      System.arraycopy(b, off, filling, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == filling.length) {
        full.add(new Segment(filling, filled));
        filling = null;
      }
    }
  }

  private byte[] takeFree() throws InterruptedIOException {
    try {
      while (!readerClosed) {
        byte[] b = free.poll(50, TimeUnit.MILLISECONDS);
        if (b != null) {
          return b;
        }
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("layer stream interrupted");
    }
  }

  /** Ends the stream normally: every byte was written and the blob is verified. */
  void finish() {
    if (writerDone) {
      return;
    }
    writerDone = true;
    if (filling != null && filled > 0) {
      full.add(new Segment(filling, filled));
    }
    filling = null;
    full.add(END);
  }

  /**
   * Ends the stream with {@code e}: the reader's next read throws it, whatever is still buffered. May be
   * called from any thread.
   */
  void fail(IOException e) {
    if (failure == null) {
      failure = e;
    }
    full.offer(END); // wakes a waiting reader, which then sees the failure
  }

  // ---- reader (the unpack thread)

  private boolean advance() throws IOException {
    if (failure != null) {
      throw failure;
    }
    if (ended) {
      return false;
    }
    if (current != null && current.buf() != null) {
      free.offer(current.buf());
    }
    current = null;
    Segment s;
    try {
      s = full.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("unpack interrupted");
    }
    if (failure != null) {
      throw failure;
    }
    if (s == END) {
      ended = true;
      return false;
    }
    current = s;
    pos = 0;
    return true;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (current == null || pos >= current.len()) {
      if (!advance()) {
        return -1;
      }
    }
    if (failure != null) {
      throw failure;
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

  /**
   * Bytes readable now; waits for the next buffer rather than answer 0 while the stream goes on, so that
   * a gzip reader looks for a following member exactly as it does in a file (0 means the end).
   */
  @Override
  public int available() throws IOException {
    while (current == null || pos >= current.len()) {
      if (!advance()) {
        return 0;
      }
    }
    return current.len() - pos;
  }

  /** Closes the reader's end; the writer's later bytes are dropped. */
  @Override
  public void close() {
    readerClosed = true;
    full.clear();
  }
}
