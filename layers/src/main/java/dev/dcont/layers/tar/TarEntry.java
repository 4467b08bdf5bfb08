package dev.dcont.layers.tar;

import java.util.Map;

/**
 * One tar header after PAX and GNU long-name records are applied. Extended attributes keep their raw
 * bytes (binary values such as {@code security.capability} must survive unchanged).
 */
public record TarEntry(
    String name,
    Type type,
    String linkName,
    int mode,
    int uid,
    int gid,
    long size,
    long mtimeNanos,
    long atimeNanos,
    int devMajor,
    int devMinor,
    Map<String, byte[]> xattrs) {

  /** Entry kinds, from the typeflag. */
  public enum Type { FILE, HARDLINK, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, DIRECTORY, FIFO }

  public boolean isDirectory() {
    return type == Type.DIRECTORY;
  }
}
