package dev.dcont.layers.archive;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Names inside an archive, as plain strings relative to its top: never joined to a path of the host. A name with
 * a {@code ..} that leaves the archive, or an absolute one, is refused; a link is resolved among the archive's
 * own names.
 */
final class ArchivePaths {
  private ArchivePaths() { }

  /** {@code name} without {@code ./}, doubled or trailing slashes; refused when it would leave the archive. */
  static String clean(String name, String what) {
    if (name == null || name.isEmpty()) {
      throw new ArchiveException(what + " has an empty path");
    }
    if (name.startsWith("/")) {
      throw new ArchiveException(what + " '" + printable(name) + "' is an absolute path; an image archive names"
          + " only files inside itself");
    }
    return normalise(name, what);
  }

  /** Where the symbolic link {@code link} (an archive name) pointing to {@code target} leads. */
  static String resolveLink(String link, String target, String what) {
    if (target.startsWith("/")) {
      throw new ArchiveException(what + " '" + printable(link) + "' is a symbolic link to '" + printable(target)
          + "', outside the archive");
    }
    int slash = link.lastIndexOf('/');
    String dir = slash < 0 ? "" : link.substring(0, slash + 1);
    try {
      return normalise(dir + target, what);
    } catch (ArchiveException e) {
      throw new ArchiveException(what + " '" + printable(link) + "' is a symbolic link to '" + printable(target)
          + "', outside the archive");
    }
  }

  private static String normalise(String name, String what) {
    Deque<String> parts = new ArrayDeque<>();
    for (String p : name.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (parts.isEmpty()) {
          throw new ArchiveException(what + " '" + printable(name) + "' leads outside the archive (..)");
        }
        parts.removeLast();
        continue;
      }
      parts.addLast(p);
    }
    if (parts.isEmpty()) {
      return "";
    }
    return String.join("/", parts);
  }

  static String printable(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 120 ? clean.substring(0, 120) + "…" : clean;
  }
}
