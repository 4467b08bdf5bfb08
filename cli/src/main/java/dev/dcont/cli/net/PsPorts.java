package dev.dcont.cli.net;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ps}'s PORTS column as the Docker CLI writes it ({@code DisplayablePorts}): the ports in order of container
 * port, host address, host port and protocol; a port the image exposes but no {@code -p} publishes as
 * {@code 80/tcp}; consecutive ports published on the same port of the host grouped
 * ({@code 0.0.0.0:80-81->80-81/tcp}), the ports published elsewhere after them. A range published with its own
 * host range stays one entry ({@code 0.0.0.0:8080-8081->80-81/tcp}, as podman shows it; Docker lists each port).
 */
public final class PsPorts {
  private PsPorts() { }

  /** The column for the mappings bound now and the ports the image exposes. */
  public static String text(List<PortMapping> bound, List<PortMapping> exposed) {
    Set<String> published = new HashSet<>();
    List<PortMapping> rows = new ArrayList<>();
    for (PortMapping p : bound) {
      rows.add(p.hostIp().isEmpty() ? new PortMapping("0.0.0.0", p.hostPort(), p.containerPort(), p.protocol(),
          p.range()) : p);
      for (PortMapping one : p.ports()) {
        published.add(one.containerPort() + "/" + one.protocol());
      }
    }
    Set<String> seen = new HashSet<>();
    for (PortMapping e : exposed) {
      String key = e.containerPort() + "/" + e.protocol();
      if (!published.contains(key) && seen.add(key)) {
        rows.add(new PortMapping("", 0, e.containerPort(), e.protocol()));
      }
    }
    rows.sort(Comparator.comparingInt(PortMapping::containerPort).thenComparing(PortMapping::hostIp)
        .thenComparingInt(PortMapping::hostPort).thenComparing(PortMapping::protocol));
    List<String> result = new ArrayList<>();
    List<String> elsewhere = new ArrayList<>();
    Map<String, int[]> groups = new LinkedHashMap<>();
    for (PortMapping p : rows) {
      String key = p.protocol();
      if (!p.hostIp().isEmpty()) {
        if (p.hostPort() != p.containerPort()) {
          elsewhere.add(p.text());
          continue;
        }
        key = p.hostIp() + "/" + p.protocol();
      }
      int first = p.containerPort();
      int last = first + p.range() - 1;
      int[] g = groups.get(key);
      if (g != null && first == g[1] + 1) {
        g[1] = last;
        continue;
      }
      if (g != null) {
        result.add(group(key, g));
      }
      groups.put(key, new int[] {first, last});
    }
    groups.forEach((key, g) -> result.add(group(key, g)));
    result.addAll(elsewhere);
    return String.join(", ", result);
  }

  private static String group(String key, int[] g) {
    int slash = key.indexOf('/');
    String ip = slash < 0 ? "" : key.substring(0, slash);
    String proto = slash < 0 ? key : key.substring(slash + 1);
    String ports = g[0] == g[1] ? Integer.toString(g[0]) : g[0] + "-" + g[1];
    String host = ip.contains(":") ? "[" + ip + "]" : ip;
    return (ip.isEmpty() ? ports : host + ":" + ports + "->" + ports) + "/" + proto;
  }
}
