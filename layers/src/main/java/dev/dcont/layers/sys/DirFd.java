package dev.dcont.layers.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A directory held by its descriptor. What lies in it is listed, examined and opened by name relative to that
 * descriptor ({@code getdents64}, {@code statx}, {@code readlinkat}, {@code openat}), never following a link,
 * and extended attributes are read from descriptors ({@code fgetxattr}): a directory of a running container that
 * is renamed or swapped for a symbolic link while it is read cannot lead the reader to a file outside it.
 */
public final class DirFd implements AutoCloseable {
  private static final boolean ARM = Platform.isARM();
  private static final int O_RDONLY = 0;
  private static final int O_NOCTTY = 0400;
  private static final int O_NONBLOCK = 04000;
  private static final int O_DIRECTORY = ARM ? 040000 : 0200000;
  private static final int O_NOFOLLOW = ARM ? 0100000 : 0400000;
  private static final int O_CLOEXEC = 02000000;
  private static final int AT_EMPTY_PATH = 0x1000;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  private static final int STATX_BASIC_STATS = 0x7ff;
  private static final int ENOENT = 2;
  private static final int ENOTDIR = 20;
  private static final int ELOOP = 40;
  private static final int ENODATA = 61;
  private static final int ENOTSUP = 95;
  private static final int ERANGE = 34;
  private static final Charset NAMES = Charset.forName(Native.getDefaultStringEncoding());
  /** One native buffer per thread for listings and reads: a walk lists and reads thousands of entries. */
  private static final ThreadLocal<ByteBuffer> BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.nativeOrder()));

  static {
    // the class named: otherwise JNA finds its caller by walking the stack, whose first use is slow
    Native.register(DirFd.class, Platform.C_LIBRARY_NAME);
  }

  private static native int open(String path, int flags, int mode) throws LastErrorException;

  private static native int openat(int dirfd, String path, int flags, int mode) throws LastErrorException;

  private static native int close(int fd) throws LastErrorException;

  private static native int statx(int dirfd, String path, int flags, int mask, byte[] buf) throws LastErrorException;

  private static native long readlinkat(int dirfd, String path, byte[] buf, long size) throws LastErrorException;

  private static native long fgetxattr(int fd, String name, byte[] value, long size) throws LastErrorException;

  private static native long read(int fd, ByteBuffer buf, long count) throws LastErrorException;

  private static native long getdents64(int fd, ByteBuffer buf, long count) throws LastErrorException;

  private final int fd;
  private final String name;
  private boolean closed;

  private DirFd(int fd, String name) {
    this.fd = fd;
    this.name = name;
  }

  /** The directory at {@code dir} (a path of dcont's own, e.g. a layer of the store), its last name not followed. */
  public static DirFd open(Path dir) throws IOException {
    try {
      return new DirFd(open(dir.toString(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0), dir.toString());
    } catch (LastErrorException e) {
      throw fail("open", dir.toString(), e);
    }
  }

  /** What {@code statx} says of one entry; {@code mode} holds the type bits too. */
  public record Stat(int mode, int uid, int gid, long size, long mtimeNanos, long ino, long dev, int nlink,
      int rdevMajor, int rdevMinor) {
    public int type() {
      return mode & 0170000;
    }

    static Stat parse(byte[] buf) {
      ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
      long dev = ((long) b.getInt(136) << 32) | (b.getInt(140) & 0xffffffffL);
      long mtime = b.getLong(112) * 1_000_000_000L + (b.getInt(120) & 0xffffffffL);
      return new Stat(b.getShort(28) & 0xffff, b.getInt(20), b.getInt(24), b.getLong(40), mtime, b.getLong(32), dev,
          b.getInt(16), b.getInt(128), b.getInt(132));
    }
  }

  /** The names in this directory but {@code .} and {@code ..}, in the order the file system gives them. */
  public List<String> list() throws IOException {
    // a descriptor of its own: the listing's position is not this one's, and a second list starts afresh
    int dup = openSelf();
    try {
      List<String> out = new ArrayList<>();
      ByteBuffer buf = BUFFER.get();
      while (true) {
        long n = getdents64(dup, buf, buf.capacity());
        if (n <= 0) {
          return out;
        }
        for (int off = 0; off < n; ) {
          int reclen = buf.getShort(off + 16) & 0xffff;
          int start = off + 19;
          int end = start;
          while (end < off + reclen && buf.get(end) != 0) {
            end++;
          }
          byte[] raw = new byte[end - start];
          buf.get(start, raw);
          String entry = new String(raw, NAMES);
          if (!entry.equals(".") && !entry.equals("..")) {
            out.add(entry);
          }
          off += reclen;
        }
      }
    } catch (LastErrorException e) {
      throw fail("list", name, e);
    } finally {
      closeQuietly(dup);
    }
  }

  private int openSelf() throws IOException {
    try {
      return openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    } catch (LastErrorException e) {
      throw fail("open", name, e);
    }
  }

  /** The entry {@code entry} itself (a link is not followed), or null when there is none. */
  public Stat stat(String entry) throws IOException {
    byte[] buf = new byte[256];
    try {
      statx(fd, entry, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buf);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == ENOENT) {
        return null;
      }
      throw fail("stat", path(entry), e);
    }
    return Stat.parse(buf);
  }

  /** The target of the symbolic link {@code entry}. */
  public String readLink(String entry) throws IOException {
    byte[] buf = new byte[4096];
    try {
      long n = readlinkat(fd, entry, buf, buf.length);
      return new String(buf, 0, (int) n, NAMES);
    } catch (LastErrorException e) {
      throw fail("readlink", path(entry), e);
    }
  }

  /** The subdirectory {@code entry}, or null when it is no longer there or no longer a directory. */
  public DirFd child(String entry) throws IOException {
    try {
      return new DirFd(openat(fd, entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0), path(entry));
    } catch (LastErrorException e) {
      int errno = e.getErrorCode();
      if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
        return null;
      }
      throw fail("open", path(entry), e);
    }
  }

  /** The value of this directory's extended attribute {@code attr}, or null when it has none. */
  public byte[] xattr(String attr) throws IOException {
    return xattr(fd, attr, name);
  }

  /**
   * The regular file {@code entry}, open for reading, or null when it is no longer there or no longer a regular
   * file (a link, a pipe, a device put in its place).
   */
  public FileFd file(String entry) throws IOException {
    int f;
    try {
      f = openat(fd, entry, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
    } catch (LastErrorException e) {
      int errno = e.getErrorCode();
      if (errno == ENOENT || errno == ELOOP) {
        return null;
      }
      throw fail("open", path(entry), e);
    }
    FileFd file = new FileFd(f, path(entry));
    try {
      if (file.stat().type() != 0100000) {
        file.close();
        return null;
      }
      return file;
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /** An open regular file: its attributes, extended attributes and bytes, all through its descriptor. */
  public static final class FileFd extends InputStream {
    private final int fd;
    private final String name;
    private boolean closed;

    private FileFd(int fd, String name) {
      this.fd = fd;
      this.name = name;
    }

    public Stat stat() throws IOException {
      byte[] b = new byte[256];
      try {
        statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, b);
      } catch (LastErrorException e) {
        throw fail("stat", name, e);
      }
      return Stat.parse(b);
    }

    public byte[] xattr(String attr) throws IOException {
      return DirFd.xattr(fd, attr, name);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      ByteBuffer buf = BUFFER.get();
      long n;
      try {
        n = DirFd.read(fd, buf, Math.min(len, buf.capacity()));
      } catch (LastErrorException e) {
        throw fail("read", name, e);
      }
      if (n <= 0) {
        return -1;
      }
      buf.get(0, b, off, (int) n);
      return (int) n;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        closeQuietly(fd);
      }
    }
  }

  private static byte[] xattr(int fd, String attr, String name) throws IOException {
    byte[] buf = new byte[4096];
    for (int tries = 0; ; tries++) {
      try {
        long n = fgetxattr(fd, attr, buf, buf.length);
        return Arrays.copyOf(buf, (int) n);
      } catch (LastErrorException e) {
        int errno = e.getErrorCode();
        if (errno == ENODATA || errno == ENOTSUP) {
          return null;
        }
        if (errno == ERANGE && tries < 4) {
          buf = new byte[buf.length * 4];
          continue;
        }
        throw fail("getxattr " + attr + " of", name, e);
      }
    }
  }

  private String path(String entry) {
    return name + "/" + entry;
  }

  private static IOException fail(String call, String path, LastErrorException e) {
    return new IOException(call + " " + path + ": " + NativeSyscalls.strerror(e.getErrorCode()));
  }

  private static void closeQuietly(int fd) {
    try {
      close(fd);
    } catch (LastErrorException ignored) {
      // read-only descriptors: nothing is lost
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      closeQuietly(fd);
    }
  }
}
