package dev.dcont.layers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** What is mounted, from {@code /proc/self/mountinfo}. */
final class Mounts {
  private Mounts() { }

  static Set<Path> mountPoints() {
    Set<Path> out = new HashSet<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        if (f.length > 4) {
          out.add(Path.of(unescape(f[4])));
        }
      }
    } catch (IOException e) {
      // no /proc: nothing is known to be mounted
    }
    return out;
  }

  static boolean isMountPoint(Path p) {
    return mountPoints().contains(p.toAbsolutePath().normalize());
  }

  private static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
