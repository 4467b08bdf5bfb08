package dev.dcont.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small Debian root file system made of this (Debian) host's own dynamically linked programs
 * and the shared libraries {@code ldd} says they need: bash and coreutils as Debian builds them.
 */
public final class HostDebianRoot {
  public static final List<String> PROGRAMS = List.of("/bin/bash", "/usr/bin/ls", "/usr/bin/cat", "/usr/bin/id",
      "/usr/bin/env", "/usr/bin/uname", "/usr/bin/head", "/usr/bin/wc", "/usr/bin/sleep", "/usr/bin/touch",
      "/usr/bin/mkdir", "/usr/bin/readlink");
  private static final Pattern LIB = Pattern.compile("(/\\S+)\\s+\\(0x");

  private HostDebianRoot() { }

  public static TarBuilder rootfs() throws IOException, InterruptedException {
    return rootfs(PROGRAMS);
  }

  /**
   * The same root with apt: {@code apt-get} and {@code apt-config} and what they read at start (an empty dpkg
   * status, the apt configuration directory, dpkg's cpu and tuple tables), enough for {@code apt-get --version}
   * and {@code apt-config dump}.
   */
  public static TarBuilder rootfsWithApt() throws IOException, InterruptedException {
    List<String> programs = new java.util.ArrayList<>(PROGRAMS);
    programs.addAll(List.of("/usr/bin/apt-get", "/usr/bin/apt-config"));
    TarBuilder t = rootfs(programs).dir("var").dir("var/lib").dir("var/lib/dpkg").file("var/lib/dpkg/status", "")
        .dir("etc/apt").dir("etc/apt/apt.conf.d").dir("usr/share").dir("usr/share/dpkg");
    for (String table : List.of("cputable", "tupletable")) {
      t.file("usr/share/dpkg/" + table, Files.readAllBytes(Path.of("/usr/share/dpkg", table)), 0644);
    }
    return t;
  }

  private static TarBuilder rootfs(List<String> programs) throws IOException, InterruptedException {
    Set<String> files = new LinkedHashSet<>(programs);
    for (String p : programs) {
      Process ldd = new ProcessBuilder("ldd", p).redirectErrorStream(true).start();
      String out = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      ldd.waitFor();
      Matcher m = LIB.matcher(out);
      while (m.find()) {
        files.add(m.group(1));
      }
    }
    TarBuilder t = new TarBuilder().dir("bin").dir("usr").dir("usr/bin").dir("etc").dir("tmp", 01777)
        .dir("root", 0700).dir("proc").dir("sys").dir("dev");
    Set<String> dirs = new LinkedHashSet<>(List.of("bin", "usr", "usr/bin", "etc", "tmp", "root", "proc", "sys", "dev"));
    for (String f : files) {
      Path real = Path.of(f).toRealPath();
      String name = f.substring(1);
      Path parent = Path.of(name).getParent();
      for (int i = 1; parent != null && i <= parent.getNameCount(); i++) {
        String d = parent.subpath(0, i).toString();
        if (dirs.add(d)) {
          t.dir(d);
        }
      }
      t.file(name, Files.readAllBytes(real), 0755);
    }
    t.file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
        .file("etc/group", "root:x:0:\n")
        .file("etc/debian_version", Files.readString(Path.of("/etc/debian_version")));
    return t;
  }
}
