package dev.dcont.cli.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of a container's own /etc/hosts and /etc/resolv.conf (the files of its directory in the store,
 * bind-mounted) that its networks give: in hosts its address on each network for its hostname, in resolv.conf the
 * name servers of its networks with names (aardvark-dns), as podman keeps them when a network is connected or
 * disconnected and when the container starts again. The files are written in place, never replaced: a running
 * container sees the bind-mounted inode.
 */
public final class EtcLines {
  private EtcLines() { }

  /** Adds {@code ADDRESS<TAB>HOSTNAME} (the container's hostname, from its etc files) to {@code etc/hosts}. */
  public static void addHost(Path etc, String address) throws IOException {
    Path hosts = etc.resolve("hosts");
    if (!Files.isRegularFile(hosts) || !Files.isRegularFile(etc.resolve("hostname"))) {
      return;
    }
    String hostname = Files.readString(etc.resolve("hostname")).strip();
    rewrite(hosts, add(Files.readString(hosts), address, hostname));
  }

  /** Removes the lines of {@code address} from {@code etc/hosts}. */
  public static void removeHost(Path etc, String address) throws IOException {
    Path hosts = etc.resolve("hosts");
    if (Files.isRegularFile(hosts)) {
      rewrite(hosts, remove(Files.readString(hosts), address));
    }
  }

  /**
   * Makes the container's own lines of {@code etc/hosts} ({@code ADDRESS<TAB>HOSTNAME}) its addresses now, its
   * first network's first; {@code 127.0.1.1} on none, as Docker's.
   */
  public static void ownHosts(Path etc, String hostname, List<String> addresses) throws IOException {
    Path hosts = etc.resolve("hosts");
    if (Files.isRegularFile(hosts)) {
      rewrite(hosts, own(Files.readString(hosts), hostname, addresses));
    }
  }

  /** Adds {@code servers} to {@code etc/resolv.conf}, before the name servers it has. */
  public static void addNameservers(Path etc, List<String> servers) throws IOException {
    Path resolv = etc.resolve("resolv.conf");
    if (Files.isRegularFile(resolv) && !servers.isEmpty()) {
      rewrite(resolv, nameservers(Files.readString(resolv), servers, false));
    }
  }

  /** Removes {@code servers} from {@code etc/resolv.conf}. */
  public static void removeNameservers(Path etc, List<String> servers) throws IOException {
    Path resolv = etc.resolve("resolv.conf");
    if (Files.isRegularFile(resolv) && !servers.isEmpty()) {
      rewrite(resolv, withoutNameservers(Files.readString(resolv), servers));
    }
  }

  /** Makes {@code servers} the name servers of {@code etc/resolv.conf}, its other lines kept. */
  public static void setNameservers(Path etc, List<String> servers) throws IOException {
    Path resolv = etc.resolve("resolv.conf");
    if (Files.isRegularFile(resolv)) {
      rewrite(resolv, nameservers(Files.readString(resolv), servers, true));
    }
  }

  private static void rewrite(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
  }

  static String add(String text, String address, String hostname) {
    return (text.isEmpty() || text.endsWith("\n") ? text : text + "\n") + address + "\t" + hostname + "\n";
  }

  static String remove(String text, String address) {
    List<String> kept = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      String[] f = line.strip().split("\\s+");
      if (!f[0].equals(address)) {
        kept.add(line);
      }
    }
    return String.join("\n", kept);
  }

  static String own(String text, String hostname, List<String> addresses) {
    List<String> mine = new ArrayList<>();
    for (String a : addresses.isEmpty() ? List.of("127.0.1.1") : addresses) {
      mine.add(a + "\t" + hostname);
    }
    List<String> out = new ArrayList<>();
    boolean placed = false;
    for (String line : lines(text)) {
      String[] f = line.strip().split("\\s+");
      if (f.length == 2 && f[1].equals(hostname) && !f[0].equals("127.0.0.1") && !f[0].equals("::1")) {
        if (!placed) {
          out.addAll(mine);
          placed = true;
        }
        continue;
      }
      out.add(line);
    }
    if (!placed) {
      out.addAll(mine);
    }
    return String.join("\n", out) + "\n";
  }

  /** {@code servers} before the other name servers of {@code text}, or instead of them ({@code replace}). */
  static String nameservers(String text, List<String> servers, boolean replace) {
    List<String> out = new ArrayList<>();
    boolean placed = false;
    for (String line : lines(text)) {
      String ns = EtcFiles.nameserver(line);
      if (ns != null && !placed) {
        servers.forEach(s -> out.add("nameserver " + s));
        placed = true;
      }
      if (ns != null && (replace || servers.contains(ns))) {
        continue;
      }
      out.add(line);
    }
    if (!placed) {
      servers.forEach(s -> out.add("nameserver " + s));
    }
    return String.join("\n", out) + "\n";
  }

  static String withoutNameservers(String text, List<String> servers) {
    List<String> out = new ArrayList<>();
    for (String line : lines(text)) {
      String ns = EtcFiles.nameserver(line);
      if (ns == null || !servers.contains(ns)) {
        out.add(line);
      }
    }
    return String.join("\n", out) + "\n";
  }

  private static List<String> lines(String text) {
    return text.isEmpty() ? List.of() : List.of(text.split("\n"));
  }
}
