package dev.dcont.cli.run;

import dev.dcont.cli.Errors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Resolves Docker's {@code --user} forms ({@code name}, {@code uid}, {@code uid:gid},
 * {@code name:group}) against the image's {@code /etc/passwd} and {@code /etc/group}, read
 * inside the container root without following links out of it.
 */
public final class UserSpec {
  /** The resolved identity of the container process. */
  public record Resolved(int uid, int gid, List<Integer> additionalGids, String home) { }

  private record PasswdEntry(String name, int uid, int gid, String home) { }

  private record GroupEntry(String name, int gid, List<String> members) { }

  private UserSpec() { }

  public static Resolved resolve(String user, Path rootfs) {
    String u = user == null || user.isEmpty() ? "0" : user;
    String userPart = u;
    String groupPart = null;
    int colon = u.indexOf(':');
    if (colon >= 0) {
      userPart = u.substring(0, colon);
      groupPart = u.substring(colon + 1);
    }
    List<PasswdEntry> passwd = readPasswd(rootfs);
    List<GroupEntry> groups = readGroups(rootfs);
    PasswdEntry entry = null;
    int uid;
    if (userPart.matches("\\d+")) {
      uid = parseId(userPart, "user", u);
      for (PasswdEntry p : passwd) {
        if (p.uid() == uid) {
          entry = p;
          break;
        }
      }
    } else {
      for (PasswdEntry p : passwd) {
        if (p.name().equals(userPart)) {
          entry = p;
          break;
        }
      }
      if (entry == null) {
        throw new Errors.UserError("unable to find user " + userPart + ": no matching entries in passwd file",
            Errors.RUN_FAILED);
      }
      uid = entry.uid();
    }
    int gid = entry != null ? entry.gid() : 0;
    if (groupPart != null && !groupPart.isEmpty()) {
      if (groupPart.matches("\\d+")) {
        gid = parseId(groupPart, "group", u);
      } else {
        GroupEntry g = null;
        for (GroupEntry ge : groups) {
          if (ge.name().equals(groupPart)) {
            g = ge;
            break;
          }
        }
        if (g == null) {
          throw new Errors.UserError("unable to find group " + groupPart + ": no matching entries in group file",
              Errors.RUN_FAILED);
        }
        gid = g.gid();
      }
    }
    Set<Integer> extra = new LinkedHashSet<>();
    if (entry != null && groupPart == null) {
      for (GroupEntry g : groups) {
        if (g.members().contains(entry.name()) && g.gid() != gid) {
          extra.add(g.gid());
        }
      }
    }
    String home = entry != null && !entry.home().isEmpty() ? entry.home() : "/";
    return new Resolved(uid, gid, List.copyOf(extra), home);
  }

  private static int parseId(String s, String what, String whole) {
    try {
      long v = Long.parseLong(s);
      if (v > Integer.MAX_VALUE) {
        throw new NumberFormatException();
      }
      return (int) v;
    } catch (NumberFormatException e) {
      throw new Errors.UserError("invalid " + what + " id in --user " + whole + " (out of range)", Errors.RUN_FAILED);
    }
  }

  private static List<PasswdEntry> readPasswd(Path rootfs) {
    List<PasswdEntry> out = new ArrayList<>();
    for (String line : readConfined(rootfs, "etc/passwd")) {
      String[] f = line.split(":", -1);
      if (f.length < 7 || !f[2].matches("\\d{1,9}") || !f[3].matches("\\d{1,9}")) {
        continue;
      }
      out.add(new PasswdEntry(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5]));
    }
    return out;
  }

  private static List<GroupEntry> readGroups(Path rootfs) {
    List<GroupEntry> out = new ArrayList<>();
    for (String line : readConfined(rootfs, "etc/group")) {
      String[] f = line.split(":", -1);
      if (f.length < 4 || !f[2].matches("\\d{1,9}")) {
        continue;
      }
      List<String> members = f[3].isEmpty() ? List.of() : List.of(f[3].split(","));
      out.add(new GroupEntry(f[0], Integer.parseInt(f[2]), members));
    }
    return out;
  }

  /**
   * Reads a file of the container root, refusing symlinks anywhere on the way (an image could
   * point {@code /etc/passwd} at a host file). A missing file reads as empty.
   */
  static List<String> readConfined(Path rootfs, String relative) {
    Path p = rootfs;
    for (String part : relative.split("/")) {
      p = p.resolve(part);
      if (Files.isSymbolicLink(p)) {
        return List.of();
      }
    }
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    try {
      if (Files.size(p) > 16 << 20) {
        return List.of();
      }
      return Files.readAllLines(p, StandardCharsets.UTF_8).stream()
          .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
