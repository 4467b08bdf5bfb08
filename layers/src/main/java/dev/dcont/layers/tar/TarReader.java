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
 * A streaming tar reader: ustar, GNU (long names 'L'/'K', base-256 numbers) and PAX (per-file headers,
 * {@code SCHILY.xattr.*} and {@code LIBARCHIVE.xattr.*} with raw byte values, sub-second times).
 * Written here rather than taken from commons-compress because that library decodes PAX values as UTF-8
 * strings, which corrupts binary xattrs such as file capabilities.
 *
 * <p>Headers are read as Go's archive/tar reads them, the reader Docker, containerd and podman unpack layers
 * with, so that an image means the same here as there: the last PAX header before an entry applies, global
 * PAX headers are checked and then ignored (as Docker and containerd ignore them), and numbers that are
 * negative or do not fit are refused ({@link TarHeaderException}), as is an extended header over
 * {@link #MAX_EXTENDED_HEADER} bytes or more than {@link #MAX_EXTENDED_IN_A_ROW} of them before one entry.
 */
public final class TarReader {
  private static final int BLOCK = 512;
  /**
   * The largest extended header (a PAX 'x' or 'g' header, a GNU 'L' or 'K' name): 1 MiB, Go's
   * {@code maxSpecialFileSize}, so every layer Docker and containerd accept passes. A real one is far smaller
   * (a path is at most 4 KiB, an xattr value at most 64 KiB), and this bounds what one header makes the
   * reader hold.
   */
  public static final int MAX_EXTENDED_HEADER = 1 << 20;
  /**
   * Extended headers in a row before an entry. A writer puts at most one of each kind ('g', 'x', 'L', 'K')
   * before an entry; without a bound, a layer of nothing but headers would be read to its byte limit.
   */
  public static final int MAX_EXTENDED_IN_A_ROW = 64;
  private static final long MAX_ID = 0xFFFF_FFFEL; // uid_t, without (uid_t) -1, which chown reads as "unchanged"
  private static final long MAX_DEV = 0xFFFF_FFFFL; // the 32 bits of glibc's makedev arguments
  private final InputStream in;
  private final byte[] header = new byte[BLOCK];
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
    int extended = 0;
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
        throw new TarHeaderException(headerName(), "has a negative size in its tar header");
      }
      if (flag != 'L' && flag != 'K' && flag != 'x' && flag != 'g') {
        return entry(flag, size, longName, longLink, pax);
      }
      if (++extended > MAX_EXTENDED_IN_A_ROW) {
        throw new TarHeaderException(headerName(), "is extended header (PAX or GNU) number " + extended + " in a row; "
            + "a tar writer puts a few before an entry, and the limit is " + MAX_EXTENDED_IN_A_ROW);
      }
      byte[] data = readExtended(flag, size);
      switch (flag) {
        case 'L' -> longName = cString(data);
        case 'K' -> longLink = cString(data);
        // a second PAX header replaces the first, as in Go: merged, they could also grow without bound
        case 'x' -> pax = Pax.parse(headerName(), data, new LinkedHashMap<>());
        // a global header applied to every later entry would repeat its records (xattrs) in each of them
        default -> Pax.parse(headerName(), data, new HashMap<>());
      }
    }
  }

  private TarEntry entry(byte flag, long size, String longName, String longLink, Map<String, byte[]> pax)
      throws IOException {
    Map<String, byte[]> h = pax == null ? Map.of() : pax;
    boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
        && header[261] == 'r' && header[262] == 0;
    String name = longName;
    if (name == null) {
      name = cString(header, 0, 100);
      if (ustar && header[345] != 0) {
        name = cString(header, 345, 155) + "/" + name;
      }
    }
    if (h.containsKey("path")) {
      name = new String(h.get("path"), StandardCharsets.UTF_8);
    }
    String link = longLink != null ? longLink : cString(header, 157, 100);
    if (h.containsKey("linkpath")) {
      link = new String(h.get("linkpath"), StandardCharsets.UTF_8);
    }
    int mode = (int) number(100, 8);
    long uid = number(108, 8);
    long gid = number(116, 8);
    long mtime;
    try {
      mtime = Math.multiplyExact(number(136, 12), 1_000_000_000L);
    } catch (ArithmeticException e) {
      throw new TarHeaderException(name, "has an mtime in its tar header that is out of range");
    }
    long atime = mtime;
    long major = number(329, 8);
    long minor = number(337, 8);
    Map<String, byte[]> xattrs = Map.of();
    for (Map.Entry<String, byte[]> e : h.entrySet()) {
      String k = e.getKey();
      String v = new String(e.getValue(), StandardCharsets.UTF_8);
      switch (k) {
        case "path", "linkpath" -> { }
        case "size" -> size = Pax.number(name, k, v, Long.MAX_VALUE);
        case "uid" -> uid = Pax.number(name, k, v, MAX_ID);
        case "gid" -> gid = Pax.number(name, k, v, MAX_ID);
        case "mtime" -> mtime = Pax.time(name, k, v);
        case "atime" -> atime = Pax.time(name, k, v);
        case "SCHILY.devmajor" -> major = Pax.number(name, k, v, MAX_DEV);
        case "SCHILY.devminor" -> minor = Pax.number(name, k, v, MAX_DEV);
        default -> {
          if (k.startsWith("SCHILY.xattr.")) {
            xattrs = mutable(xattrs);
            xattrs.put(k.substring("SCHILY.xattr.".length()), e.getValue());
          } else if (k.startsWith("LIBARCHIVE.xattr.")) {
            xattrs = mutable(xattrs);
            try {
              String xn = java.net.URLDecoder.decode(k.substring("LIBARCHIVE.xattr.".length()),
                  StandardCharsets.UTF_8);
              xattrs.put(xn, Base64.getDecoder().decode(v.strip()));
            } catch (IllegalArgumentException x) {
              throw new TarHeaderException(name, "has PAX record " + Pax.shown(k) + " that is not URL and base64 "
                  + "encoded");
            }
          } else if (k.startsWith("GNU.sparse.")) {
            throw new TarHeaderException(name, "is a sparse file, which is not supported");
          }
        }
      }
    }
    inRange(name, "uid", uid, MAX_ID);
    inRange(name, "gid", gid, MAX_ID);
    inRange(name, "device major number", major, MAX_DEV);
    inRange(name, "device minor number", minor, MAX_DEV);
    TarEntry.Type type = switch (flag) {
      case '0', 0, '7' -> TarEntry.Type.FILE;
      case '1' -> TarEntry.Type.HARDLINK;
      case '2' -> TarEntry.Type.SYMLINK;
      case '3' -> TarEntry.Type.CHAR_DEVICE;
      case '4' -> TarEntry.Type.BLOCK_DEVICE;
      case '5' -> TarEntry.Type.DIRECTORY;
      case '6' -> TarEntry.Type.FIFO;
      case 'S' -> throw new TarHeaderException(name, "is a sparse file, which is not supported");
      default -> throw new TarHeaderException(name, "has the unsupported tar entry type '" + (char) flag + "'");
    };
    if (type == TarEntry.Type.FILE && name.endsWith("/")) {
      type = TarEntry.Type.DIRECTORY;
    }
    // As Go's archive/tar: only regular files carry data; a size on any other type is ignored.
    remaining = type == TarEntry.Type.FILE ? size : 0;
    padding = (BLOCK - (remaining % BLOCK)) % BLOCK;
    // ids and device numbers above 2^31 keep their 32 bits in the int, as uid_t and makedev read them
    return new TarEntry(name, type, link, mode & 07777, (int) uid, (int) gid, type == TarEntry.Type.FILE ? size : 0,
        mtime, atime, (int) major, (int) minor, xattrs);
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

  private byte[] readExtended(byte flag, long size) throws IOException {
    if (size > MAX_EXTENDED_HEADER) {
      String kind = switch (flag) {
        case 'x' -> "PAX header";
        case 'g' -> "PAX global header";
        case 'L' -> "GNU long name";
        default -> "GNU long link name";
      };
      throw new TarHeaderException(headerName(), "is a " + kind + " of " + size + " bytes, over the limit of "
          + MAX_EXTENDED_HEADER + " bytes for one extended header (Docker and containerd refuse it too)");
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

  /** The header's own name field, for errors before the entry's full name is known. */
  private String headerName() {
    return cString(header, 0, 100);
  }

  private long number(int off, int len) throws IOException {
    if ((header[off] & 0x80) != 0) {
      // GNU base-256: big-endian two's complement, first byte's high bit is the marker. As Go's parseNumeric:
      // a value that does not fit in 64 bits is refused rather than cut to its low bits.
      int inv = (header[off] & 0x40) != 0 ? 0xff : 0;
      long x = 0;
      for (int i = 0; i < len; i++) {
        int c = (header[off + i] ^ inv) & 0xff;
        if (i == 0) {
          c &= 0x7f;
        }
        if ((x >>> 56) != 0) {
          throw new TarHeaderException(headerName(), "has a number in its tar header that does not fit in 64 bits");
        }
        x = (x << 8) | c;
      }
      if (x < 0) {
        throw new TarHeaderException(headerName(), "has a number in its tar header that does not fit in 64 bits");
      }
      return inv != 0 ? ~x : x;
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

  private static void inRange(String entry, String what, long v, long max) throws TarHeaderException {
    if (v < 0 || v > max) {
      throw new TarHeaderException(entry, "has " + what + " " + v + ", outside 0 to " + max);
    }
  }
}
