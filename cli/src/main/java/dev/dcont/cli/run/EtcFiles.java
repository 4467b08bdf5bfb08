package dev.dcont.cli.run;

import dev.dcont.store.OwnerOnly;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-container {@code /etc/hostname}, {@code /etc/hosts} and {@code /etc/resolv.conf}, as Docker writes them.
 * They are bind-mounted into the container, where every user must read them: the files are 0644, whatever the
 * umask. On the host their 0700 directory (in the container's 0700 directory) keeps other users away; inside the
 * container only the file's own mode counts, as a bind mount gives the file and not the path above it.
 */
public final class EtcFiles {
  private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> READABLE =
      java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");

  private EtcFiles() { }

  public static SpecFactory.EtcFiles write(Path dir, String hostname, boolean hostNetwork) throws IOException {
    OwnerOnly.createDirectories(dir);
    Path h = dir.resolve("hostname");
    write(h, hostname + "\n");
    Path hosts = dir.resolve("hosts");
    write(hosts, hostNetwork ? hostHosts() : """
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        ff00::0\tip6-mcastprefix
        ff02::1\tip6-allnodes
        ff02::2\tip6-allrouters
        127.0.1.1\t%s
        """.formatted(hostname));
    Path resolv = dir.resolve("resolv.conf");
    write(resolv, resolvConf(hostNetwork));
    return new SpecFactory.EtcFiles(h, hosts, resolv);
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, READABLE);
  }

  private static String hostHosts() {
    try {
      return Files.readString(Path.of("/etc/hosts"));
    } catch (IOException e) {
      return "127.0.0.1\tlocalhost\n";
    }
  }

  /**
   * The host's resolv.conf; in a network namespace of its own a loopback resolver cannot be reached,
   * so those lines are dropped (Docker then falls back to public resolvers; with no network there
   * is nothing to reach anyway).
   */
  static String resolvConf(boolean hostNetwork) {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/etc/resolv.conf"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      lines = List.of();
    }
    if (hostNetwork) {
      return String.join("\n", lines) + "\n";
    }
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      String t = l.strip();
      if (t.startsWith("nameserver") && (t.contains(" 127.") || t.contains(" ::1"))) {
        continue;
      }
      out.add(l);
    }
    return String.join("\n", out) + "\n";
  }
}
