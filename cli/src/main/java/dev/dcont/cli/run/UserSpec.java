package dev.dcont.cli.run;

import dev.dcont.cli.Errors;
import dev.dcont.runtime.RootFiles;
import dev.dcont.runtime.launch.SecureJoin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
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
 * {@code name:group}) against the container's {@code /etc/passwd} and {@code /etc/group}, resolved
 * inside the container root (its symlinks are followed there, as Docker does, never out of it).
 */
public final class UserSpec {
  private static final int MAX_BYTES = 16 << 20;

  /** The resolved identity of the container process. */
  public record Resolved(int uid, int gid, List<Integer> additionalGids, String home) { }

  private record PasswdEntry(String name, int uid, int gid, String home) { }

  private record GroupEntry(String name, int gid, List<String> members) { }

  private UserSpec() { }

  /**
   * Resolves {@code user} against the files of a root that a process may be using: a running container, for
   * {@code exec}.
   */
  public static Resolved resolveInUse(String user, Path rootfs) {
    try (Confined files = new Confined(rootfs)) {
      return resolve(user, files);
    }
  }

  /**
   * Resolves {@code user} against the files of a root no process uses yet, for {@code run}. A name is looked
   * up through descriptors, as for {@code exec}; an id alone (the usual case, which only needs its home and
   * groups) is read by path, sound while nothing can change the root, and spares binding the native calls.
   */
  public static Resolved resolve(String user, Path rootfs) {
    String u = user == null || user.isEmpty() ? "0" : user;
    int colon = u.indexOf(':');
    String userPart = colon >= 0 ? u.substring(0, colon) : u;
    String groupPart = colon >= 0 ? u.substring(colon + 1) : "";
    if (isId(userPart) && (groupPart.isEmpty() || isId(groupPart))) {
      return resolve(u, new UnusedRoot(rootfs));
    }
    return resolveInUse(u, rootfs);
  }

  private static boolean isId(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static Resolved resolve(String user, AccountFiles files) {
    String u = user == null || user.isEmpty() ? "0" : user;
    String userPart = u;
    String groupPart = null;
    int colon = u.indexOf(':');
    if (colon >= 0) {
      userPart = u.substring(0, colon);
      groupPart = u.substring(colon + 1);
    }
    List<PasswdEntry> passwd = readPasswd(files);
    List<GroupEntry> groups = readGroups(files);
    PasswdEntry entry = null;
    int uid;
    if (isId(userPart)) {
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
      if (isId(groupPart)) {
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

  private static List<PasswdEntry> readPasswd(AccountFiles files) {
    List<PasswdEntry> out = new ArrayList<>();
    for (String line : files.lines("etc/passwd")) {
      String[] f = line.split(":", -1);
      if (f.length < 7 || !f[2].matches("\\d{1,9}") || !f[3].matches("\\d{1,9}")) {
        continue;
      }
      out.add(new PasswdEntry(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5]));
    }
    return out;
  }

  private static List<GroupEntry> readGroups(AccountFiles files) {
    List<GroupEntry> out = new ArrayList<>();
    for (String line : files.lines("etc/group")) {
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
   * The container's account files. What is not a regular file inside the root (missing, a directory, a device,
   * a FIFO, a link loop) or is over 16 MiB reads as empty, as Docker reads a passwd file it cannot open.
   */
  private interface AccountFiles {
    List<String> lines(String path);
  }

  private static List<String> significantLines(byte[] data) throws IOException {
    List<String> out = new ArrayList<>();
    if (data != null) {
      BufferedReader in = new BufferedReader(new StringReader(new String(data, StandardCharsets.UTF_8)));
      for (String l = in.readLine(); l != null; l = in.readLine()) {
        if (!l.isBlank() && !l.startsWith("#")) {
          out.add(l);
        }
      }
    }
    return out;
  }

  /** Read through descriptors of the root: the only safe way while a process can change the tree. */
  private static final class Confined implements AccountFiles, AutoCloseable {
    private final RootFiles root;

    Confined(Path rootfs) {
      try {
        this.root = RootFiles.open(rootfs);
      } catch (IOException e) {
        throw new Errors.UserError(e.getMessage(), Errors.RUN_FAILED);
      }
    }

    @Override
    public List<String> lines(String path) {
      try {
        return significantLines(root.readRegularFile(path, MAX_BYTES));
      } catch (IOException e) {
        return List.of();
      }
    }

    @Override
    public void close() {
      root.close();
    }
  }

  /** Read by path, resolved inside the root: sound only for a root that no process uses yet. */
  private static final class UnusedRoot implements AccountFiles {
    private final Path rootfs;

    UnusedRoot(Path rootfs) {
      this.rootfs = rootfs;
    }

    @Override
    public List<String> lines(String path) {
      try {
        Path p = SecureJoin.join(rootfs, path);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.size(p) > MAX_BYTES) {
          return List.of();
        }
        return significantLines(Files.readAllBytes(p));
      } catch (IOException e) {
        return List.of();
      }
    }
  }
}
