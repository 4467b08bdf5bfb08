package dev.dcont.cli.net;

import dev.dcont.cli.Errors;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The addresses of containers on a network, as podman's IPAM gives them: the lowest free host address of the
 * subnet (the gateway's excepted), or the one asked for; the addresses in use are those of the leases. Called under
 * the network lock.
 */
final class Ipam {
  private Ipam() { }

  /** The container's IPv4 address on {@code net}: {@code wanted} (--ip) or the lowest free one. */
  static int address(NetworkDef net, String wanted, List<Lease> leases) {
    Set<Integer> used = new HashSet<>();
    for (Lease l : leases) {
      Integer a = l.address(net.name());
      if (a != null) {
        used.add(a);
      }
    }
    used.add(net.gateway());
    if (wanted != null) {
      int a;
      try {
        a = Subnet.address(wanted);
      } catch (IllegalArgumentException e) {
        throw new Errors.UserError("invalid --ip: " + e.getMessage(), Errors.RUN_FAILED);
      }
      if (!net.subnet().contains(a) || a < net.subnet().firstHost() || a > net.subnet().lastHost()) {
        throw new Errors.UserError("--ip " + wanted + " is not in network " + net.name() + "'s subnet "
            + net.subnet(), Errors.RUN_FAILED);
      }
      if (used.contains(a)) {
        throw new Errors.UserError("address " + wanted + " is already in use on network " + net.name(),
            Errors.RUN_FAILED);
      }
      return a;
    }
    for (int a = net.subnet().firstHost(); a <= net.subnet().lastHost(); a++) {
      if (!used.contains(a)) {
        return a;
      }
    }
    throw new Errors.UserError("network " + net.name() + " has no free address left in " + net.subnet(),
        Errors.RUN_FAILED);
  }

  /**
   * The container's IPv6 address on {@code net}: {@code wanted} (--ip6) or the lowest free one; null on a network
   * without IPv6, where {@code wanted} is refused.
   */
  static BigInteger address6(NetworkDef net, String wanted, List<Lease> leases) {
    if (!net.ipv6()) {
      if (wanted != null) {
        throw new Errors.UserError("--ip6 " + wanted + ": network " + net.name() + " has no IPv6 (create one with"
            + " 'dcont network create --ipv6')", Errors.RUN_FAILED);
      }
      return null;
    }
    Set<BigInteger> used = new HashSet<>();
    for (Lease l : leases) {
      BigInteger a = l.address6(net.name());
      if (a != null) {
        used.add(a);
      }
    }
    used.add(net.gateway6());
    Subnet6 s = net.subnet6();
    if (wanted != null) {
      BigInteger a;
      try {
        a = Subnet6.address(wanted);
      } catch (IllegalArgumentException e) {
        throw new Errors.UserError("invalid --ip6: " + e.getMessage(), Errors.RUN_FAILED);
      }
      if (!s.contains(a) || a.compareTo(s.firstHost()) < 0 || a.compareTo(s.lastHost()) > 0) {
        throw new Errors.UserError("--ip6 " + wanted + " is not in network " + net.name() + "'s subnet " + s,
            Errors.RUN_FAILED);
      }
      if (used.contains(a)) {
        throw new Errors.UserError("address " + wanted + " is already in use on network " + net.name(),
            Errors.RUN_FAILED);
      }
      return a;
    }
    // the addresses in use are few: at most one candidate more than there are of them is tried
    for (BigInteger a = s.firstHost(); a.compareTo(s.lastHost()) <= 0; a = a.add(BigInteger.ONE)) {
      if (!used.contains(a)) {
        return a;
      }
    }
    throw new Errors.UserError("network " + net.name() + " has no free address left in " + s, Errors.RUN_FAILED);
  }

  /** The static_ips netavark is given: the IPv4 address, and the IPv6 one when there is one. */
  static List<String> staticIps(int ip, BigInteger ip6) {
    return ip6 == null ? List.of(Subnet.text(ip)) : List.of(Subnet.text(ip), Subnet6.text(ip6));
  }

  /**
   * Refuses a port published on an IPv6 host address when {@code net} has no IPv6 (netavark could not forward it to
   * the container), and one on ::1: netavark forwards with DNAT, and the kernel routes no packet from the IPv6
   * loopback address out of the host (IPv6 has no route_localnet, which netavark sets for 127.0.0.1), so the port
   * would take the address and never answer there; and one on :: (netavark matches it as the one address ::, not
   * as every IPv6 address of the host, so it would never answer either). One line, exit 125.
   */
  static void checkPorts(NetworkDef net, List<PortMapping> ports) {
    for (PortMapping p : ports) {
      if (p.hostIp().equals("::")) {
        throw new Errors.UserError("-p on [::]: netavark cannot publish on every IPv6 address alone; leave the"
            + " address out to publish on every address of the host, IPv4 and IPv6", Errors.RUN_FAILED);
      }
      if (p.hostIp().equals("::1")) {
        throw new Errors.UserError("-p on ::1: netavark cannot forward the IPv6 loopback address to a container"
            + " (the kernel does not route it); publish on another address of the host or on all of them",
            Errors.RUN_FAILED);
      }
      if (Subnet6.looksV6(p.hostIp()) && !net.ipv6()) {
        throw new Errors.UserError("-p on IPv6 address " + p.hostIp() + " needs a network with IPv6; network "
            + net.name() + " has none (create one with 'dcont network create --ipv6')", Errors.RUN_FAILED);
      }
    }
  }
}
