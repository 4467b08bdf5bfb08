package dev.dcont.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Directories (0700) and files (0600) of the store that no other user may reach: containers' bundles carry
 * the secrets given with {@code -e}, and snapshots and upper directories hold setuid files. Modes are set
 * explicitly after creating, so that the umask neither widens nor narrows them.
 */
public final class OwnerOnly {
  public static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final java.util.concurrent.atomic.AtomicLong UNIQUE = new java.util.concurrent.atomic.AtomicLong();
  private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTR = PosixFilePermissions.asFileAttribute(FILE);

  private OwnerOnly() { }

  /** 0600 as the attribute of a file being created (the umask may only narrow it). */
  public static FileAttribute<Set<PosixFilePermission>> fileAttribute() {
    return FILE_ATTR;
  }

  /** Creates {@code dir} and its missing parents, each 0700; directories that exist are left as they are. */
  public static Path createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return dir;
    }
    List<Path> missing = new ArrayList<>();
    for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
      missing.add(p);
    }
    for (int i = missing.size() - 1; i >= 0; i--) {
      createDirectory(missing.get(i), DIR);
    }
    return dir;
  }

  /** Creates {@code dir} with exactly {@code mode}; one that exists (made by a concurrent caller) is left alone. */
  public static void createDirectory(Path dir, Set<PosixFilePermission> mode) throws IOException {
    try {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      if (Files.isDirectory(dir)) {
        return;
      }
      throw e;
    }
    Files.setPosixFilePermissions(dir, mode);
  }

  /** Creates an empty file 0600 if there is none. */
  public static void createFile(Path file) throws IOException {
    try {
      Files.createFile(file, FILE_ATTR);
    } catch (FileAlreadyExistsException e) {
      return;
    }
    Files.setPosixFilePermissions(file, FILE);
  }

  /**
   * A new empty file 0600 in {@code dir}, named {@code prefix}, this process's pid, a count and {@code suffix}: a
   * name no other living process makes, for a file that is renamed into place or deleted after. Not
   * {@link Files#createTempFile}: its random names come from a {@code SecureRandom}, whose first use in a process
   * sets up the JDK's security providers, on the way of every run to its network set-up. A file left by a killed
   * process of the same pid is passed over.
   */
  public static Path createUnique(Path dir, String prefix, String suffix) throws IOException {
    String base = prefix + ProcessHandle.current().pid() + "-";
    while (true) {
      Path p = dir.resolve(base + UNIQUE.incrementAndGet() + suffix);
      try {
        return Files.createFile(p, FILE_ATTR);
      } catch (FileAlreadyExistsException stale) {
        // a killed process's, of the same pid: the next count
      }
    }
  }

  /**
   * Takes every permission of group and others away from {@code p} (not following a symlink), if it has any;
   * false when there was nothing to take or no such file. A sticky directory (a shared one such as /tmp, named as
   * a root by mistake) is left as it is.
   */
  public static boolean tighten(Path p) throws IOException {
    int mode;
    try {
      mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return false;
    }
    if ((mode & 077) == 0 || (mode & 01000) != 0 || (mode & 0170000) == 0120000) {
      return false;
    }
    Files.setAttribute(p, "unix:mode", mode & 0700, LinkOption.NOFOLLOW_LINKS);
    return true;
  }

  /** Whether group or others have any permission on {@code p} (not following a symlink). */
  public static boolean openToOthers(Path p) throws IOException {
    return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 077) != 0;
  }
}
