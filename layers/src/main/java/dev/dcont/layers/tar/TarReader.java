package dev.dcont.layers.tar;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A streaming tar reader: ustar, GNU (long names 'L'/'K', base-256 numbers) and PAX (per-file and global
 * headers, {@code SCHILY.xattr.*} and {@code LIBARCHIVE.xattr.*} with raw byte values, sub-second times).
 * Written here rather than taken from commons-compress because that library decodes PAX values as UTF-8
 * strings, which corrupts binary xattrs such as file capabilities.
 */
public final class TarReader {
  private static final int BLOCK = 512;
  private final InputStream in;
  private final byte[] header = new byte[BLOCK];
  private final Map<String, byte[]> globalPax = new HashMap<>();
  private long remaining;
  private long padding;
  private boolean eof;

  public TarReader(InputStream in) {
    this.in = in;
  }

  /** The next entry, or null at the end of the archive. Skips what is left of the current entry's data. */
  public TarEntry next() throws IOException {
    skipRest();
    String longName = null;
    String longLink = null;
    Map<String, byte[]> pax = null;
    while (true) {
      if (eof || !readBlock(header)) {
        eof = true;
        return null;
      }
      if (isZero(header)) {
        eof = true;
        return null;
      }
      verifyChecksum();
      byte flag = header[156];
      long size = number(124, 12);
      if (size < 0) {
        throw new IOException("tar header has a negative size");
      }
      switch (flag) {
        case 'L' -> longName = cString(readData(size));
        case 'K' -> longLink = cString(readData(size));
        case 'x' -> pax = parsePax(readData(size), pax == null ? new LinkedHashMap<>() : pax);
        case 'g' -> parsePax(readData(size), globalPax);
        default -> {
          return entry(flag, size, longName, longLink, pax);
        }
      }
    }
  }

  private TarEntry entry(byte flag, long size, String longName, String longLink, Map<String, byte[]> pax)
      throws IOException {
    Map<String, byte[]> h = new HashMap<>(globalPax);
    if (pax != null) {
      h.putAll(pax);
    }
    boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
        && header[261] == 'r' && header[262] == 0;
    String name = longName;
    if (name == null) {
      name = cString(header, 0, 100);
      if (ustar && header[345] != 0) {
        name = cString(header, 345, 155) + "/" + name;
      }
    }
    String link = longLink != null ? longLink : cString(header, 157, 100);
    int mode = (int) number(100, 8);
    long uid = number(108, 8);
    long gid = number(116, 8);
    long mtime = number(136, 12) * 1_000_000_000L;
    long atime = mtime;
    int major = (int) number(329, 8);
    int minor = (int) number(337, 8);
    Map<String, byte[]> xattrs = Map.of();
    for (Map.Entry<String, byte[]> e : h.entrySet()) {
      String k = e.getKey();
      String v = new String(e.getValue(), StandardCharsets.UTF_8);
      switch (k) {
        case "path" -> name = v;
        case "linkpath" -> link = v;
        case "size" -> size = parseLong(k, v);
        case "uid" -> uid = parseLong(k, v);
        case "gid" -> gid = parseLong(k, v);
        case "mtime" -> mtime = parseTime(v);
        case "atime" -> atime = parseTime(v);
        case "SCHILY.devmajor" -> major = (int) parseLong(k, v);
        case "SCHILY.devminor" -> minor = (int) parseLong(k, v);
        default -> {
          if (k.startsWith("SCHILY.xattr.")) {
            xattrs = mutable(xattrs);
            xattrs.put(k.substring("SCHILY.xattr.".length()), e.getValue());
          } else if (k.startsWith("LIBARCHIVE.xattr.")) {
            xattrs = mutable(xattrs);
            String xn = java.net.URLDecoder.decode(k.substring("LIBARCHIVE.xattr.".length()), StandardCharsets.UTF_8);
            xattrs.put(xn, Base64.getDecoder().decode(v.strip()));
          } else if (k.startsWith("GNU.sparse.")) {
            throw new IOException("entry " + name + ": sparse files are not supported");
          }
        }
      }
    }
    TarEntry.Type type = switch (flag) {
      case '0', 0, '7' -> TarEntry.Type.FILE;
      case '1' -> TarEntry.Type.HARDLINK;
      case '2' -> TarEntry.Type.SYMLINK;
      case '3' -> TarEntry.Type.CHAR_DEVICE;
      case '4' -> TarEntry.Type.BLOCK_DEVICE;
      case '5' -> TarEntry.Type.DIRECTORY;
      case '6' -> TarEntry.Type.FIFO;
      case 'S' -> throw new IOException("entry " + name + ": sparse files are not supported");
      default -> throw new IOException("entry " + name + ": unsupported tar entry type '" + (char) flag + "'");
    };
    if (type == TarEntry.Type.FILE && name.endsWith("/")) {
      type = TarEntry.Type.DIRECTORY;
    }
    // As Go's archive/tar: only regular files carry data; a size on any other type is ignored.
    remaining = type == TarEntry.Type.FILE ? size : 0;
    padding = (BLOCK - (remaining % BLOCK)) % BLOCK;
    return new TarEntry(name, type, link, mode & 07777, (int) uid, (int) gid, type == TarEntry.Type.FILE ? size : 0,
        mtime, atime, major, minor, xattrs);
  }

  private static Map<String, byte[]> mutable(Map<String, byte[]> m) {
    return m.isEmpty() ? new LinkedHashMap<>() : m;
  }

  /** Reads data of the current entry; -1 at its end. */
  public int read(byte[] b, int off, int len) throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n < 0) {
      throw new EOFException("tar stream ends inside an entry's data");
    }
    remaining -= n;
    return n;
  }

  private void skipRest() throws IOException {
    skip(remaining + padding);
    remaining = 0;
    padding = 0;
  }

  private void skip(long n) throws IOException {
    if (n > 0 && skipBuffer == null) {
      skipBuffer = new byte[8192];
    }
    byte[] buf = skipBuffer;
    while (n > 0) {
      int r = in.read(buf, 0, (int) Math.min(n, buf.length));
      if (r < 0) {
        throw new EOFException("tar stream ends inside an entry's data");
      }
      n -= r;
    }
  }

  private byte[] readData(long size) throws IOException {
    if (size > 16 << 20) {
      throw new IOException("tar extended header of " + size + " bytes is too large");
    }
    byte[] data = new byte[(int) size];
    readFully(data, 0, data.length);
    skip((BLOCK - (size % BLOCK)) % BLOCK);
    return data;
  }

  /** What {@link #skip} reads into (padding after every entry, content nobody reads), made once. */
  private byte[] skipBuffer;

  private boolean readBlock(byte[] b) throws IOException {
    int n = 0;
    while (n < BLOCK) {
      int r = in.read(b, n, BLOCK - n);
      if (r < 0) {
        if (n == 0) {
          return false;
        }
        throw new EOFException("tar stream ends inside a header");
      }
      n += r;
    }
    return true;
  }

  private void readFully(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int r = in.read(b, off, len);
      if (r < 0) {
        throw new EOFException("tar stream ends inside an extended header");
      }
      off += r;
      len -= r;
    }
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private void verifyChecksum() throws IOException {
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      byte b = i >= 148 && i < 156 ? (byte) ' ' : header[i];
      unsigned += b & 0xff;
      signed += b;
    }
    long stored = number(148, 8);
    if (stored != unsigned && stored != signed) {
      throw new IOException("invalid tar header checksum (the layer is not a tar archive or is corrupt)");
    }
  }

  private long number(int off, int len) throws IOException {
    if ((header[off] & 0x80) != 0) {
      // GNU base-256: big-endian two's complement, first byte's high bit is the marker.
      long v = header[off] & 0x7f;
      if ((header[off] & 0x40) != 0) {
        v |= ~0x7fL;
      }
      for (int i = 1; i < len; i++) {
        v = (v << 8) | (header[off + i] & 0xff);
      }
      return v;
    }
    long v = 0;
    int i = off;
    int end = off + len;
    while (i < end && (header[i] == ' ' || header[i] == 0)) {
      i++;
    }
    for (; i < end; i++) {
      byte b = header[i];
      if (b == ' ' || b == 0) {
        break;
      }
      if (b < '0' || b > '7') {
        throw new IOException("invalid octal number in tar header");
      }
      v = (v << 3) | (b - '0');
    }
    return v;
  }

  private static String cString(byte[] b) {
    return cString(b, 0, b.length);
  }

  private static String cString(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static long parseLong(String key, String v) throws IOException {
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new IOException("invalid PAX " + key + " '" + v + "'");
    }
  }

  private static long parseTime(String v) throws IOException {
    try {
      java.math.BigDecimal d = new java.math.BigDecimal(v.strip());
      return d.movePointRight(9).setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IOException("invalid PAX time '" + v + "'");
    }
  }

  /** Parses PAX records ({@code "LEN key=value\n"}) into {@code into}; values stay raw bytes. */
  static Map<String, byte[]> parsePax(byte[] data, Map<String, byte[]> into) throws IOException {
    int i = 0;
    while (i < data.length) {
      if (data[i] == 0) {
        break;
      }
      int sp = i;
      int len = 0;
      while (sp < data.length && data[sp] != ' ') {
        if (data[sp] < '0' || data[sp] > '9') {
          throw new IOException("invalid PAX header record");
        }
        len = len * 10 + (data[sp] - '0');
        sp++;
      }
      int end = i + len;
      if (len <= 0 || end > data.length || data[end - 1] != '\n') {
        throw new IOException("invalid PAX header record");
      }
      int eq = sp + 1;
      while (eq < end && data[eq] != '=') {
        eq++;
      }
      if (eq >= end) {
        throw new IOException("invalid PAX header record");
      }
      String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
      byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, end - 1);
      if (value.length == 0) {
        into.remove(key);
      } else {
        into.put(key, value);
      }
      i = end;
    }
    return into;
  }
}
