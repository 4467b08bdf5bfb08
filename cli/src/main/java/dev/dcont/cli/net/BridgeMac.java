package dev.dcont.cli.net;

import dev.dcont.runtime.HostPrograms;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network's bridge keeps one MAC address while containers come and go. Linux gives a bridge whose address was
 * never set the lowest address among its ports, so a container joining with a lower one (or the lowest leaving)
 * changes the gateway's address under the other containers' neighbour caches: their packets to the gateway (its
 * name server, outbound traffic) are lost until the cache entry is probed again, which can take a minute and more.
 * netavark sets the bridge's address itself from its 1.9 on (containers/netavark#833); the netavark of Debian 12
 * does not, so before netavark adds a port to an existing bridge, the bridge's own address is set to the one it
 * has, which fixes it there (as Docker sets its bridges' address when it makes them). A bridge netavark is about to
 * make takes its first container's address and is fixed before the second joins. With iproute2's {@code ip}, in
 * dcont's network namespace; the bridge is looked for in {@code /proc/self/net/dev}, which is this namespace's
 * (sysfs may be another's).
 */
final class BridgeMac {
  private BridgeMac() { }

  /** Fixes the address of every bridge that {@code options} (netavark's) names and that exists now. */
  static void fixAll(Map<String, Object> options) {
    if (!(options.get("network_info") instanceof Map<?, ?> info)) {
      return;
    }
    Set<String> present = interfaces();
    List<String> bridges = new ArrayList<>();
    for (Object net : info.values()) {
      if (net instanceof Map<?, ?> m && m.get("network_interface") instanceof String bridge
          && present.contains(bridge)) {
        bridges.add(bridge);
      }
    }
    if (bridges.isEmpty()) {
      return;
    }
    // best effort: a bridge whose address cannot be read or set is left to the kernel's choice, as before
    Path ip = HostPrograms.find("ip", List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")).path();
    if (ip == null) {
      return;
    }
    for (String bridge : bridges) {
      String shown = run(ip.toString(), "-o", "link", "show", "dev", bridge);
      int at = shown == null ? -1 : shown.indexOf("link/ether ");
      if (at >= 0) {
        String mac = shown.substring(at + "link/ether ".length()).split(" ", 2)[0];
        run(ip.toString(), "link", "set", "dev", bridge, "address", mac);
      }
    }
  }

  /** The interfaces of this network namespace; none when they cannot be read. */
  static Set<String> interfaces() {
    Set<String> out = new HashSet<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/net/dev"), StandardCharsets.US_ASCII)) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          out.add(line.substring(0, colon).strip());
        }
      }
    } catch (IOException e) {
      // none known: nothing is fixed
    }
    return out;
  }

  private static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
          new java.io.File("/dev/null"))).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
