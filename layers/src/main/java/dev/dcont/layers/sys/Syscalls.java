package dev.dcont.layers.sys;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The kernel calls layers need beyond java.nio: device nodes, ownership without following links, setuid
 * bits, extended attributes, link timestamps and overlay mounts. {@link NativeSyscalls} is the real thing;
 * tests that run without root may record calls with a fake.
 */
public interface Syscalls {
  int S_IFIFO = 0010000;
  int S_IFCHR = 0020000;
  int S_IFBLK = 0060000;

  /** Whether this process may chown, mknod devices and set trusted.* xattrs. */
  boolean privileged();

  void mknod(Path path, int mode, int major, int minor) throws IOException;

  void lchown(Path path, int uid, int gid) throws IOException;

  /** chmod with all 12 mode bits (java.nio cannot set setuid, setgid or sticky). */
  void chmod(Path path, int mode) throws IOException;

  void lsetxattr(Path path, String name, byte[] value) throws IOException;

  /** The value of an xattr, or null when the file does not have it. */
  byte[] lgetxattr(Path path, String name) throws IOException;

  /** Sets access and modification time (nanoseconds since the epoch) without following a final symlink. */
  void lutimes(Path path, long atimeNanos, long mtimeNanos) throws IOException;

  /** mount(2); {@code workingDir}, when not null, is the directory relative paths in {@code data} start from. */
  void mount(String source, Path target, String fstype, long flags, String data, Path workingDir) throws IOException;

  void unmount(Path target, boolean detach) throws IOException;
}
