package dev.dcont.cli.run;

import dev.dcont.cli.net.ContainerNetworks;
import dev.dcont.cli.net.Subnet;
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
    return write(dir, hostname, hostNetwork, null);
  }

  /**
   * As above for a container on a network ({@code net} not null): its own address for its hostname in
   * /etc/hosts (and its IPv6 address on a network with IPv6), and as name server aardvark-dns on a network with
   * names, else the host's (as Docker's bridge).
   */
  public static SpecFactory.EtcFiles write(Path dir, String hostname, boolean hostNetwork,
      ContainerNetworks.Attached net) throws IOException {
    return write(dir, hostname, hostNetwork, net, EtcOptions.NONE);
  }

  /**
   * As above, with what {@code --dns}, {@code --dns-search}, {@code --dns-option} and {@code --add-host} ask for
   * (see {@link EtcOptions}). The files are written in the container's own directory of the store and bind-mounted:
   * no path inside the container's root is written.
   */
  public static SpecFactory.EtcFiles write(Path dir, String hostname, boolean hostNetwork,
      ContainerNetworks.Attached net, EtcOptions options) throws IOException {
    String extraHosts = options.hostsLines(net == null ? null : Subnet.text(net.network().gateway()));
    OwnerOnly.createDirectories(dir);
    Path h = dir.resolve("hostname");
    write(h, hostname + "\n");
    Path hosts = dir.resolve("hosts");
    if (hostNetwork) {
      String hostsText = hostHosts();
      write(hosts, extraHosts.isEmpty() || hostsText.endsWith("\n") ? hostsText + extraHosts
          : hostsText + "\n" + extraHosts);
    } else {
      // Docker's order: the --add-host lines, then the container's own
      write(hosts, """
          127.0.0.1\tlocalhost
          ::1\tlocalhost ip6-localhost ip6-loopback
          fe00::0\tip6-localnet
          ff00::0\tip6-mcastprefix
          ff02::1\tip6-allnodes
          ff02::2\tip6-allrouters
          """ + extraHosts + (net == null ? "127.0.1.1" : net.ip()) + "\t" + hostsNames(hostname) + "\n"
          + (net == null || net.ip6().isEmpty() ? "" : net.ip6() + "\t" + hostsNames(hostname) + "\n"));
    }
    Path resolv = dir.resolve("resolv.conf");
    write(resolv, options.resolvConf(net == null ? resolvConf(hostNetwork) : resolvConf(net.dnsServers()),
        net != null && !net.dnsServers().isEmpty()));
    return new SpecFactory.EtcFiles(h, hosts, resolv);
  }

  /** The names of the container's own line: a hostname with a domain also by its first label, as Docker writes it. */
  static String hostsNames(String hostname) {
    int dot = hostname.indexOf('.');
    return dot > 0 ? hostname + " " + hostname.substring(0, dot) : hostname;
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
      if (!loopbackServer(l)) {
        out.add(l);
      }
    }
    return String.join("\n", out) + "\n";
  }

  /**
   * A network's resolv.conf: {@code servers} (aardvark-dns) when the network has names, with the host's search and
   * options; else the host's without loopback resolvers, which cannot be reached from the container. A host whose
   * only resolver is systemd-resolved's stub gives the resolvers behind it, and none at all gives Docker's
   * fallback (Google's public resolvers), as Docker does.
   */
  static String resolvConf(List<String> servers) {
    return resolvConf(servers, hostResolv(Path.of("/etc/resolv.conf")),
        hostResolv(Path.of("/run/systemd/resolve/resolv.conf")));
  }

  /** As above from the host's resolv.conf ({@code host}) and systemd-resolved's ({@code resolved}). */
  static String resolvConf(List<String> servers, List<String> host, List<String> resolved) {
    if (host.stream().anyMatch(l -> "127.0.0.53".equals(nameserver(l))) && !resolved.isEmpty()) {
      host = resolved;
    }
    List<String> out = new ArrayList<>();
    boolean any = false;
    for (String l : host) {
      if (nameserver(l) != null) {
        if (!servers.isEmpty() || loopbackServer(l)) {
          continue;
        }
        any = true;
      }
      out.add(l);
    }
    for (String s : servers) {
      out.add("nameserver " + s);
      any = true;
    }
    if (!any) {
      out.add("nameserver 8.8.8.8");
      out.add("nameserver 8.8.4.4");
    }
    return String.join("\n", out) + "\n";
  }

  /** The address of a {@code nameserver} line (any blanks around it), else null. */
  static String nameserver(String line) {
    String[] f = line.strip().split("\\s+");
    return f.length >= 2 && f[0].equals("nameserver") ? f[1] : null;
  }

  /** Whether the line names a resolver on loopback, which a container in its own network namespace cannot reach. */
  private static boolean loopbackServer(String line) {
    String a = nameserver(line);
    if (a == null) {
      return false;
    }
    try {
      // an IPv6 literal (with ':') is parsed, never looked up
      return a.contains(":") ? java.net.InetAddress.getByName(a).isLoopbackAddress() : a.startsWith("127.");
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static List<String> hostResolv(Path p) {
    try {
      return Files.readAllLines(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of();
    }
  }
}
