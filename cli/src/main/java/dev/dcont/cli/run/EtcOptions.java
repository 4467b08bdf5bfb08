package dev.dcont.cli.run;

import dev.dcont.cli.Errors;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code run} was asked to put into the container's {@code /etc/resolv.conf} ({@code --dns},
 * {@code --dns-search}, {@code --dns-option}) and {@code /etc/hosts} ({@code --add-host NAME:IP}), as Docker
 * reads them. Each replaces the host's lines of its kind; on a network with names the name server stays
 * aardvark-dns, which forwards the container's other queries to the {@code --dns} servers (Docker's embedded DNS
 * does the same). {@code host-gateway} is the address of the container's bridge.
 */
public record EtcOptions(List<String> dns, List<String> dnsSearch, List<String> dnsOptions, List<String> addHosts) {
  public static final EtcOptions NONE = new EtcOptions(List.of(), List.of(), List.of(), List.of());
  static final String HOST_GATEWAY = "host-gateway";

  /** The flags' values checked: addresses are literal IPv4 or IPv6 addresses, names have no blank. */
  public static EtcOptions parse(List<String> dns, List<String> dnsSearch, List<String> dnsOptions,
      List<String> addHosts) {
    for (String d : dns) {
      if (!isAddress(d)) {
        throw invalid(d, "--dns", d + " is not an ip address");
      }
    }
    for (String s : dnsSearch) {
      if (s.isEmpty() || s.chars().anyMatch(c -> c <= ' ')) {
        throw invalid(s, "--dns-search", s + " is not a valid domain");
      }
    }
    for (String o : dnsOptions) {
      if (o.isEmpty() || o.chars().anyMatch(c -> c <= ' ')) {
        throw invalid(o, "--dns-option", "an option is one word, as ndots:2");
      }
    }
    for (String h : addHosts) {
      int colon = h.indexOf(':');
      if (colon <= 0 || colon == h.length() - 1 || h.substring(0, colon).chars().anyMatch(c -> c <= ' ')) {
        throw invalid(h, "--add-host", "bad format for add-host: \"" + h + "\" (NAME:IP)");
      }
      String ip = h.substring(colon + 1);
      if (!ip.equals(HOST_GATEWAY) && !isAddress(ip)) {
        throw invalid(h, "--add-host", "invalid IP address in add-host: \"" + ip + "\"");
      }
    }
    return new EtcOptions(List.copyOf(dns), List.copyOf(dnsSearch), List.copyOf(dnsOptions), List.copyOf(addHosts));
  }

  private static Errors.UserError invalid(String value, String flag, String why) {
    return new Errors.UserError("invalid argument \"" + value + "\" for \"" + flag + "\" flag: " + why,
        Errors.RUN_FAILED);
  }

  /** A literal address: dotted IPv4, or IPv6 (which InetAddress parses without a lookup, as it has a colon). */
  static boolean isAddress(String s) {
    if (s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      for (String part : s.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return false;
        }
      }
      return true;
    }
    if (!s.contains(":") || !s.matches("[0-9a-fA-F:.]+")) {
      return false;
    }
    try {
      InetAddress.getByName(s);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  public boolean any() {
    return !dns.isEmpty() || !dnsSearch.isEmpty() || !dnsOptions.isEmpty() || !addHosts.isEmpty();
  }

  /** Whether an {@code --add-host} asks for the bridge's address. */
  public boolean wantsHostGateway() {
    return addHosts.stream().anyMatch(h -> h.endsWith(":" + HOST_GATEWAY));
  }

  /**
   * {@code resolv} with the asked-for lines in place of the host's: {@code --dns} for the name servers (unless
   * {@code keepServers}: aardvark-dns serves the network's names and forwards to them), {@code --dns-search}
   * for search and domain ({@code .} for none), {@code --dns-option} for options.
   */
  String resolvConf(String resolv, boolean keepServers) {
    if (dns.isEmpty() && dnsSearch.isEmpty() && dnsOptions.isEmpty()) {
      return resolv;
    }
    boolean servers = !dns.isEmpty() && !keepServers;
    List<String> out = new ArrayList<>();
    for (String l : resolv.split("\n", -1)) {
      String t = l.strip();
      if (servers && t.startsWith("nameserver")
          || !dnsSearch.isEmpty() && (t.startsWith("search") || t.startsWith("domain"))
          || !dnsOptions.isEmpty() && t.startsWith("options")) {
        continue;
      }
      out.add(l);
    }
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    if (servers) {
      dns.forEach(d -> out.add("nameserver " + d));
    }
    List<String> search = dnsSearch.stream().filter(s -> !s.equals(".")).toList();
    if (!search.isEmpty()) {
      out.add("search " + String.join(" ", search));
    }
    if (!dnsOptions.isEmpty()) {
      out.add("options " + String.join(" ", dnsOptions));
    }
    return String.join("\n", out) + "\n";
  }

  /** The {@code --add-host} lines of /etc/hosts, {@code IP\tNAME}; {@code gateway} null without a bridge. */
  String hostsLines(String gateway) {
    StringBuilder b = new StringBuilder();
    for (String h : addHosts) {
      int colon = h.indexOf(':');
      String ip = h.substring(colon + 1);
      if (ip.equals(HOST_GATEWAY)) {
        if (gateway == null) {
          throw new Errors.UserError("--add-host " + h + ": host-gateway is the address of the container's bridge,"
              + " and --network none or host has none (give an address)", Errors.RUN_FAILED);
        }
        ip = gateway;
      }
      b.append(ip).append('\t').append(h, 0, colon).append('\n');
    }
    return b.toString();
  }
}
