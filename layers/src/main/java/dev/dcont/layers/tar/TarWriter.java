package dev.dcont.layers.tar;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A streaming tar writer: ustar headers, with a PAX header before an entry whose name, link, size, ids or
 * times do not fit ustar's fields, and for its extended attributes ({@code SCHILY.xattr.*}, raw byte values,
 * as {@link TarReader} reads them and GNU tar and Go's archive/tar write them). Written next to the reader for
 * the same reason: binary xattrs such as file capabilities must come out unchanged.
 */
public final class TarWriter implements Closeable {
  private static final int BLOCK = 512;
  private static final long MAX_OCTAL_11 = 077777777777L;
  private static final long MAX_OCTAL_7 = 07777777L;
  private final OutputStream out;
  private final byte[] zeros = new byte[BLOCK];
  private long remaining;
  private long padding;
  private boolean finished;

  public TarWriter(OutputStream out) {
    this.out = out;
  }

  /** Writes the header of {@code e}; a regular file's {@code e.size()} bytes follow through {@link #write}. */
  public void put(TarEntry e) throws IOException {
    if (remaining != 0) {
      throw new IllegalStateException("tar entry written short by " + remaining + " bytes");
    }
    writePadding();
    String name = e.name();
    if (e.isDirectory() && !name.endsWith("/")) {
      name = name + "/";
    }
    long size = e.type() == TarEntry.Type.FILE ? e.size() : 0;
    long mtime = Math.max(0, Math.floorDiv(e.mtimeNanos(), 1_000_000_000L));
    Map<String, byte[]> pax = new LinkedHashMap<>();
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    int split = nameBytes.length <= 100 ? 0 : prefixSplit(nameBytes);
    if (split < 0 || !ascii(nameBytes)) {
      pax.put("path", nameBytes);
    }
    byte[] link = e.linkName() == null ? new byte[0] : e.linkName().getBytes(StandardCharsets.UTF_8);
    if (link.length > 100 || !ascii(link)) {
      pax.put("linkpath", link);
    }
    if (size > MAX_OCTAL_11) {
      pax.put("size", Long.toString(size).getBytes(StandardCharsets.US_ASCII));
    }
    long uid = Integer.toUnsignedLong(e.uid());
    long gid = Integer.toUnsignedLong(e.gid());
    if (uid > MAX_OCTAL_7) {
      pax.put("uid", Long.toString(uid).getBytes(StandardCharsets.US_ASCII));
    }
    if (gid > MAX_OCTAL_7) {
      pax.put("gid", Long.toString(gid).getBytes(StandardCharsets.US_ASCII));
    }
    if (mtime > MAX_OCTAL_11) {
      pax.put("mtime", Long.toString(mtime).getBytes(StandardCharsets.US_ASCII));
    }
    for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
      pax.put("SCHILY.xattr." + x.getKey(), x.getValue());
    }
    if (!pax.isEmpty()) {
      byte[] records = paxRecords(pax);
      byte[] h = header("PaxHeaders/" + tail(name), 'x', 0644, 0, 0, records.length, mtime, "", 0, 0, -1);
      out.write(h);
      out.write(records);
      out.write(zeros, 0, pad(records.length));
    }
    char flag = switch (e.type()) {
      case FILE -> '0';
      case HARDLINK -> '1';
      case SYMLINK -> '2';
      case CHAR_DEVICE -> '3';
      case BLOCK_DEVICE -> '4';
      case DIRECTORY -> '5';
      case FIFO -> '6';
    };
    out.write(header(name, flag, e.mode(), Math.min(uid, MAX_OCTAL_7), Math.min(gid, MAX_OCTAL_7),
        Math.min(size, MAX_OCTAL_11), Math.min(mtime, MAX_OCTAL_11), e.linkName() == null ? "" : e.linkName(),
        e.devMajor(), e.devMinor(), pax.containsKey("path") ? -1 : split));
    remaining = size;
    padding = pad(size);
  }

  /** Data of the current regular file. */
  public void write(byte[] b, int off, int len) throws IOException {
    if (len > remaining) {
      throw new IllegalStateException("tar entry written past its size");
    }
    out.write(b, off, len);
    remaining -= len;
  }

  /** Copies exactly the current entry's remaining bytes from {@code in}. */
  public void copy(InputStream in) throws IOException {
    byte[] buf = new byte[1 << 16];
    while (remaining > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
      if (n < 0) {
        throw new java.io.EOFException("file ended " + remaining + " bytes short of the size in its tar header");
      }
      write(buf, 0, n);
    }
  }

  /** Bytes of the current entry not yet written. */
  public long remaining() {
    return remaining;
  }

  /** Ends the archive (two zero blocks) and flushes; the stream stays open. */
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    if (remaining != 0) {
      throw new IllegalStateException("tar entry written short by " + remaining + " bytes");
    }
    writePadding();
    out.write(zeros);
    out.write(zeros);
    out.flush();
    finished = true;
  }

  @Override
  public void close() throws IOException {
    try {
      finish();
    } finally {
      out.close();
    }
  }

  private void writePadding() throws IOException {
    out.write(zeros, 0, (int) padding);
    padding = 0;
  }

  private static int pad(long size) {
    return (int) ((BLOCK - (size % BLOCK)) % BLOCK);
  }

  private static boolean ascii(byte[] b) {
    for (byte x : b) {
      if (x < 0x20 || x >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static String tail(String name) {
    String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    String t = n.substring(n.lastIndexOf('/') + 1);
    byte[] b = t.getBytes(StandardCharsets.UTF_8);
    return b.length <= 80 && ascii(b) ? t : "entry";
  }

  /** Where a name over 100 bytes splits into ustar's prefix (up to 155) and name (up to 100), or -1. */
  private static int prefixSplit(byte[] name) {
    for (int i = name.length - 1; i > 0; i--) {
      if (name[i] == '/' && i <= 155 && name.length - i - 1 <= 100 && name.length - i - 1 > 0) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] paxRecords(Map<String, byte[]> pax) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> r : pax.entrySet()) {
      byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
      int body = 1 + key.length + 1 + r.getValue().length + 1; // " key=value\n"
      int len = body + Integer.toString(body).length();
      if (Integer.toString(len).length() != Integer.toString(body).length()) {
        len++;
      }
      b.writeBytes(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
      b.write(' ');
      b.writeBytes(key);
      b.write('=');
      b.writeBytes(r.getValue());
      b.write('\n');
    }
    return b.toByteArray();
  }

  private static byte[] header(String name, char flag, int mode, long uid, long gid, long size, long mtime,
      String link, int major, int minor, int split) {
    byte[] h = new byte[BLOCK];
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    if (split > 0) {
      put(h, 0, 100, java.util.Arrays.copyOfRange(n, split + 1, n.length));
      put(h, 345, 155, java.util.Arrays.copyOfRange(n, 0, split));
    } else {
      put(h, 0, 100, n);
    }
    octal(h, 100, 8, mode & 07777);
    octal(h, 108, 8, uid);
    octal(h, 116, 8, gid);
    octal(h, 124, 12, size);
    octal(h, 136, 12, mtime);
    h[156] = (byte) flag;
    put(h, 157, 100, link.getBytes(StandardCharsets.UTF_8));
    put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
    put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    octal(h, 329, 8, Integer.toUnsignedLong(major) & MAX_OCTAL_7);
    octal(h, 337, 8, Integer.toUnsignedLong(minor) & MAX_OCTAL_7);
    java.util.Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    octal(h, 148, 8, sum);
    return h;
  }

  private static void put(byte[] h, int off, int len, byte[] v) {
    System.arraycopy(v, 0, h, off, Math.min(len, v.length));
  }

  /** Zero-padded octal in {@code len - 1} digits and a NUL. */
  private static void octal(byte[] h, int off, int len, long v) {
    String s = Long.toOctalString(v);
    StringBuilder b = new StringBuilder();
    for (int i = s.length(); i < len - 1; i++) {
      b.append('0');
    }
    b.append(s);
    put(h, off, len - 1, b.toString().getBytes(StandardCharsets.US_ASCII));
    h[off + len - 1] = 0;
  }
}
