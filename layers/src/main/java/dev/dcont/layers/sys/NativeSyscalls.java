package dev.dcont.layers.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** {@link Syscalls} through JNA direct mapping to libc. */
public final class NativeSyscalls implements Syscalls {
  private static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  private static final int ENODATA = 61;
  private static final int MNT_DETACH = 2;
  private static final Object CWD_LOCK = new Object();

  static {
    // the class named: without it JNA finds its caller by walking the stack through a SecurityManager, whose
    // first use is a noticeable part of a command's start-up
    Native.register(NativeSyscalls.class, Platform.C_LIBRARY_NAME);
  }

  private static final NativeSyscalls INSTANCE = new NativeSyscalls();

  private final boolean privileged;

  private NativeSyscalls() {
    this.privileged = geteuid() == 0;
  }

  public static NativeSyscalls get() {
    return INSTANCE;
  }

  private static native int geteuid();

  private static native int mknod(String path, int mode, long dev) throws LastErrorException;

  private static native int lchown(String path, int uid, int gid) throws LastErrorException;

  private static native int chmod(String path, int mode) throws LastErrorException;

  private static native int lsetxattr(String path, String name, byte[] value, long size, int flags)
      throws LastErrorException;

  private static native long lgetxattr(String path, String name, byte[] value, long size) throws LastErrorException;

  private static native int utimensat(int dirfd, String path, long[] times, int flags) throws LastErrorException;

  private static native int mount(String source, String target, String fstype, long flags, String data)
      throws LastErrorException;

  private static native int umount2(String target, int flags) throws LastErrorException;

  private static native int chdir(String path) throws LastErrorException;

  @Override
  public boolean privileged() {
    return privileged;
  }

  private static IOException fail(String call, Path path, LastErrorException e) {
    return new IOException(call + " " + path + ": " + strerror(e.getErrorCode()));
  }

  static String strerror(int errno) {
    return switch (errno) {
      case 1 -> "operation not permitted (EPERM)";
      case 2 -> "no such file or directory (ENOENT)";
      case 13 -> "permission denied (EACCES)";
      case 16 -> "device or resource busy (EBUSY)";
      case 17 -> "file exists (EEXIST)";
      case 20 -> "not a directory (ENOTDIR)";
      case 22 -> "invalid argument (EINVAL)";
      case 28 -> "no space left on device (ENOSPC)";
      case 95 -> "operation not supported (EOPNOTSUPP)";
      default -> "errno " + errno;
    };
  }

  @Override
  public void mknod(Path path, int mode, int major, int minor) throws IOException {
    long dev = ((long) (major & 0xfffff000) << 32) | ((major & 0xfff) << 8)
        | ((long) (minor & 0xffffff00) << 12) | (minor & 0xff);
    try {
      mknod(path.toString(), mode, dev);
    } catch (LastErrorException e) {
      throw fail("mknod", path, e);
    }
  }

  @Override
  public void lchown(Path path, int uid, int gid) throws IOException {
    try {
      lchown(path.toString(), uid, gid);
    } catch (LastErrorException e) {
      throw fail("lchown", path, e);
    }
  }

  @Override
  public void chmod(Path path, int mode) throws IOException {
    try {
      chmod(path.toString(), mode & 07777);
    } catch (LastErrorException e) {
      throw fail("chmod", path, e);
    }
  }

  @Override
  public void lsetxattr(Path path, String name, byte[] value) throws IOException {
    try {
      lsetxattr(path.toString(), name, value, value.length, 0);
    } catch (LastErrorException e) {
      throw fail("setxattr " + name + " on", path, e);
    }
  }

  @Override
  public byte[] lgetxattr(Path path, String name) throws IOException {
    try {
      byte[] buf = new byte[4096];
      long n = lgetxattr(path.toString(), name, buf, buf.length);
      return java.util.Arrays.copyOf(buf, (int) n);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == ENODATA) {
        return null;
      }
      throw fail("getxattr " + name + " on", path, e);
    }
  }

  @Override
  public void lutimes(Path path, long atimeNanos, long mtimeNanos) throws IOException {
    long[] times = {
        Math.floorDiv(atimeNanos, 1_000_000_000L), Math.floorMod(atimeNanos, 1_000_000_000L),
        Math.floorDiv(mtimeNanos, 1_000_000_000L), Math.floorMod(mtimeNanos, 1_000_000_000L)};
    try {
      utimensat(AT_FDCWD, path.toString(), times, AT_SYMLINK_NOFOLLOW);
    } catch (LastErrorException e) {
      throw fail("utimensat", path, e);
    }
  }

  @Override
  public void mount(String source, Path target, String fstype, long flags, String data, Path workingDir)
      throws IOException {
    if (data != null && data.getBytes(StandardCharsets.UTF_8).length >= 4096) {
      throw new IOException("mount " + target + ": options are " + data.length()
          + " bytes, over the kernel's page limit of 4095");
    }
    synchronized (CWD_LOCK) {
      // The process working directory is shared by all threads; dcont holds it only for this call.
      String back = System.getProperty("user.dir");
      try {
        if (workingDir != null) {
          chdir(workingDir.toString());
        }
        mount(source, target.toString(), fstype, flags, data);
      } catch (LastErrorException e) {
        throw fail("mount " + fstype, target, e);
      } finally {
        if (workingDir != null) {
          try {
            chdir(back);
          } catch (LastErrorException ignored) {
            // user.dir always existed when the JVM started
          }
        }
      }
    }
  }

  @Override
  public void unmount(Path target, boolean detach) throws IOException {
    try {
      umount2(target.toString(), detach ? MNT_DETACH : 0);
    } catch (LastErrorException e) {
      throw fail("umount", target, e);
    }
  }
}
