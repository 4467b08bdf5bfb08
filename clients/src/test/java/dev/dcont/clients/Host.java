package dev.dcont.clients;

import dev.dcont.testkit.HostCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.opentest4j.TestAbortedException;

/** The machine the clients run on: its programs, its mounts and its limits, and running a program with a deadline. */
final class Host {
  private Host() { }

  /** The repository's root: the tests run in the module's directory, one below it. */
  static Path repositoryRoot() {
    return Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
  }

  /** {@code name} on the PATH (or in /usr/sbin and /sbin, where Debian puts runc), if there. */
  static Path find(String name) {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin"));
    for (String d : dirs) {
      Path p = Path.of(d.isEmpty() ? "." : d, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p.toAbsolutePath();
      }
    }
    return null;
  }

  /**
   * {@code name}, which the Debian package {@code pkg} installs: on CI (which installs it, see .ci/run) its absence
   * fails the test; elsewhere the test is skipped with what to install.
   */
  static Path require(String name, String pkg) {
    Path p = find(name);
    if (p != null) {
      return p;
    }
    String what = name + " not found: install the Debian package " + pkg;
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(what + " (CI=true: .ci/run installs it, so it must be there)");
    }
    throw new TestAbortedException("skipped: " + what);
  }

  /** The mount points at or under {@code dir} in this process's mount namespace, deepest last. */
  static List<String> mountsUnder(Path dir) throws IOException {
    String prefix = dir.toRealPath().toString();
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      String point = unescape(line.split(" ")[4]);
      if (point.equals(prefix) || point.startsWith(prefix + "/")) {
        out.add(point);
      }
    }
    return out;
  }

  /**
   * Unmounts what {@link #mountsUnder} lists (so that the directory can go) and returns the list: what a client
   * left mounted, for the test to report.
   */
  static List<String> unmountAllUnder(Path dir) throws IOException, InterruptedException {
    List<String> left = mountsUnder(dir);
    for (int i = left.size() - 1; i >= 0; i--) {
      HostCommand.run(dir.getParent(), Duration.ofSeconds(10), List.of("umount", "-l", left.get(i)));
    }
    return left;
  }

  private static String unescape(String field) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()) {
        b.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * This process's soft and hard limit {@code name} as in /proc/self/limits ("Max open files"), as "soft:hard" for
   * {@code --ulimit}, each at most {@code cap}. podman's defaults can exceed what root may set where it lacks
   * CAP_SYS_RESOURCE (inside a container), and {@code --ulimit host} is not honoured for those by every podman
   * version; the caller's own limits always fit.
   */
  static String limit(String name, long cap) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
      if (line.startsWith(name + " ")) {
        String[] f = line.substring(name.length()).trim().split("\\s+");
        return capped(f[0], cap) + ":" + capped(f[1], cap);
      }
    }
    throw new IllegalStateException("no '" + name + "' in /proc/self/limits");
  }

  private static long capped(String value, long cap) {
    return value.equals("unlimited") ? cap : Math.min(Long.parseLong(value), cap);
  }

  /** Quotes {@code args} for sh -c. */
  static String shellQuote(List<String> args) {
    StringBuilder b = new StringBuilder();
    for (String a : args) {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append('\'').append(a.replace("'", "'\\''")).append('\'');
    }
    return b.toString();
  }

  /**
   * The end of a client test class, after its own checks: what is still mounted under {@code dir} is unmounted
   * and is a problem, and the class's cgroup parent is removed.
   */
  static void unmountAndClose(Path dir, dev.dcont.testkit.TestCgroupParent cgroups, List<String> problems)
      throws Exception {
    List<String> mounts = unmountAllUnder(dir);
    if (!mounts.isEmpty()) {
      problems.add("mounts left: " + mounts);
    }
    cgroups.close();
  }
}
