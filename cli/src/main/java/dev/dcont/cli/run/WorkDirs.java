package dev.dcont.cli.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Creates the image's working directory when it is missing, as Docker does, without following a
 * symlink of the image out of the container root: each component is resolved inside the root.
 */
public final class WorkDirs {
  private static final int MAX_LINKS = 40;

  private WorkDirs() { }

  public static void ensure(Path root, String cwd, UserSpec.Resolved user) throws IOException {
    Path dir = resolveInside(root, cwd);
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    java.util.List<Path> missing = new java.util.ArrayList<>();
    for (Path p = dir; !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
      missing.add(p);
    }
    Files.createDirectories(dir);
    // as Docker does, a working directory it creates belongs to the container's user and is 0755, whatever
    // dcont's umask
    for (Path p : missing) {
      Files.setAttribute(p, "unix:mode", 0755, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(p, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(p, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
    }
  }

  /** {@code path} (absolute, in the container) as a host path under {@code root}, symlinks resolved inside it. */
  static Path resolveInside(Path root, String path) throws IOException {
    Path current = root;
    java.util.Deque<String> todo = new java.util.ArrayDeque<>();
    for (String part : path.split("/")) {
      if (!part.isEmpty()) {
        todo.add(part);
      }
    }
    int links = 0;
    while (!todo.isEmpty()) {
      String part = todo.poll();
      if (part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        current = current.equals(root) ? root : current.getParent();
        continue;
      }
      Path next = current.resolve(part);
      if (Files.isSymbolicLink(next)) {
        if (++links > MAX_LINKS) {
          throw new IOException("too many symbolic links resolving " + path);
        }
        String target = Files.readSymbolicLink(next).toString();
        java.util.Deque<String> rest = new java.util.ArrayDeque<>();
        for (String t : target.split("/")) {
          if (!t.isEmpty()) {
            rest.add(t);
          }
        }
        rest.addAll(todo);
        todo = rest;
        if (target.startsWith("/")) {
          current = root;
        }
        continue;
      }
      current = next;
    }
    return current;
  }
}
