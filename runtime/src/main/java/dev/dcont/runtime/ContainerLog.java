package dev.dcont.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the log a detached container's monitor writes (runtime/src/main/c/monitor.c, write_record):
 * {@code DCONTLOG1\n}, then records of the stream (1 stdout, 2 stderr), the time in nanoseconds since the epoch
 * (8 bytes, big-endian), the length (4 bytes, big-endian) and the bytes. A log without that header (from an
 * older dcont) is read as plain output. Records are read as they are appended: a record not yet whole is kept
 * until the rest arrives.
 */
public final class ContainerLog {
  static final byte[] MAGIC = "DCONTLOG1\n".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER = 13;
  private static final int MAX_RECORD = 1 << 20;

  /** Output the container wrote at one time to one stream. */
  public record Chunk(int stream, long timeNanos, byte[] data) {
    public static final int STDOUT = 1;
    public static final int STDERR = 2;
  }

  /** A record's header: its stream, time and the length of its bytes. */
  record Header(int stream, long timeNanos, int length) { }

  /** The header at {@code pos} of {@code buf} ({@link #HEADER} bytes); one that no monitor writes is refused. */
  static Header header(byte[] buf, int pos) throws IOException {
    int stream = buf[pos];
    long time = 0;
    for (int i = 0; i < 8; i++) {
      time = (time << 8) | (buf[pos + 1 + i] & 0xff);
    }
    int n = 0;
    for (int i = 0; i < 4; i++) {
      n = (n << 8) | (buf[pos + 9 + i] & 0xff);
    }
    if ((stream != Chunk.STDOUT && stream != Chunk.STDERR) || n < 0 || n > MAX_RECORD) {
      throw new IOException("container log: damaged record at byte " + pos + " of what was read");
    }
    return new Header(stream, time, n);
  }

  private final InputStream in;
  private byte[] buf = new byte[1 << 16];
  private int len;
  /** null until the first bytes tell: true for records, false for plain output. */
  private Boolean framed;

  public ContainerLog(InputStream in) {
    this.in = in;
  }

  /**
   * The next whole records (plain output as chunks of stdout, time 0); empty when nothing whole is new. Reads
   * at most a buffer's worth of what is there now: call until empty, and again later for what comes later.
   */
  public List<Chunk> poll() throws IOException {
    fill();
    List<Chunk> out = new ArrayList<>();
    if (framed == null) {
      if (len < MAGIC.length && Arrays.equals(buf, 0, len, MAGIC, 0, len)) {
        return out; // the header is being written, or nothing yet
      }
      framed = len >= MAGIC.length && Arrays.equals(buf, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
      if (framed) {
        consume(MAGIC.length);
      }
    }
    if (!framed) {
      if (len > 0) {
        out.add(new Chunk(Chunk.STDOUT, 0, Arrays.copyOf(buf, len)));
        len = 0;
      }
      return out;
    }
    int pos = 0;
    while (len - pos >= HEADER) {
      Header h = header(buf, pos);
      if (len - pos - HEADER < h.length()) {
        break;
      }
      out.add(new Chunk(h.stream(), h.timeNanos(), Arrays.copyOfRange(buf, pos + HEADER, pos + HEADER + h.length())));
      pos += HEADER + h.length();
    }
    consume(pos);
    return out;
  }

  /** Hands {@code each} every whole record the file has now, in order (see {@link #poll}). */
  public void readAvailable(java.util.function.Consumer<Chunk> each) throws IOException {
    List<Chunk> chunks;
    while (!(chunks = poll()).isEmpty()) {
      chunks.forEach(each);
    }
  }

  /** Reads what the file has now, up to a buffer's worth (the caller polls until nothing whole is new). */
  private void fill() throws IOException {
    if (len == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2); // a record larger than what is buffered
    }
    while (len < buf.length) {
      // a FileInputStream returns -1 at the file's current end and later reads return what was appended
      int n = in.read(buf, len, buf.length - len);
      if (n <= 0) {
        return;
      }
      len += n;
    }
  }

  /** What one stream ({@link Chunk#STDOUT} or {@link Chunk#STDERR}) of the log at {@code log} holds so far, as text. */
  public static String text(java.nio.file.Path log, int stream) throws IOException {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    try (InputStream in = java.nio.file.Files.newInputStream(log)) {
      new ContainerLog(in).readAvailable(c -> {
        if (c.stream() == stream) {
          b.writeBytes(c.data());
        }
      });
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  private void consume(int n) {
    System.arraycopy(buf, n, buf, 0, len - n);
    len -= n;
  }
}
