package dev.dcont.cli.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The per-container {@code /etc/hostname}, {@code /etc/hosts} and {@code /etc/resolv.conf}, as Docker writes them. */
public final class EtcFiles {
  private EtcFiles() { }

  public static SpecFactory.EtcFiles write(Path dir, String hostname, boolean hostNetwork) throws IOException {
    Files.createDirectories(dir);
    Path h = dir.resolve("hostname");
    Files.writeString(h, hostname + "\n");
    Path hosts = dir.resolve("hosts");
    Files.writeString(hosts, hostNetwork ? hostHosts() : """
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        ff00::0\tip6-mcastprefix
        ff02::1\tip6-allnodes
        ff02::2\tip6-allrouters
        127.0.1.1\t%s
        """.formatted(hostname));
    Path resolv = dir.resolve("resolv.conf");
    Files.writeString(resolv, resolvConf(hostNetwork));
    return new SpecFactory.EtcFiles(h, hosts, resolv);
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
