package dev.dcont.cli.net;

import dev.dcont.cli.Errors;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A network's addresses (podman's IPAM, over the leases): the lowest free host address of its subnet, the gateway
 * being the first, or the one asked for with {@code --ip}.
 */
public final class Ipam {
  private Ipam() { }

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
      int a = check(net, wanted);
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

  /** {@code wanted} as an address of {@code net}'s subnet; one line (exit 125) when it is not one. */
  public static int check(NetworkDef net, String wanted) {
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
    return a;
  }
}
