package dev.dcont.cli.net;

import dev.dcont.cli.Errors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Published ports: {@code hostIp} ("" for every address of the host), {@code hostPort} (0 until a free one is
 * picked for {@code -p CONTAINERPORT} and {@code -P}), the container's port, tcp or udp, and {@code range}: how many
 * consecutive ports from {@code hostPort} go to as many from {@code containerPort} (netavark's {@code range}, one
 * firewall rule for the whole range rather than one per port). {@code hostPortEnd}, when not 0, asks for one
 * free host port from {@code hostPort} to it ({@code -p 8080-8090:80}, Docker's dynamic range); the port picked
 * replaces it before netavark sees the mapping.
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol, int range,
    int hostPortEnd) {

  public PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {
    this(hostIp, hostPort, containerPort, protocol, 1, 0);
  }

  public PortMapping(String hostIp, int hostPort, int containerPort, String protocol, int range) {
    this(hostIp, hostPort, containerPort, protocol, range, 0);
  }

  /**
   * {@code -p [IP:][HOSTPORT[-END]:]CONTAINERPORT[-END][/tcp|/udp]}, as Docker reads it (IP is IPv4, or IPv6 in
   * brackets). A range with host ports is one mapping of that range; a range without is one mapping per port, each
   * to a free host port of its own (as Docker allocates them); a host range for one container port asks for a free
   * host port in that range.
   */
  public static List<PortMapping> parse(String spec) {
    String s = spec;
    String proto = "tcp";
    int slash = s.lastIndexOf('/');
    if (slash >= 0) {
      proto = s.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
      s = s.substring(0, slash);
      if (!proto.equals("tcp") && !proto.equals("udp")) {
        throw bad(spec, "protocol " + proto + " (tcp or udp)");
      }
    }
    String ip = "";
    String host = "";
    String container;
    int last = s.lastIndexOf(':');
    if (last < 0) {
      container = s;
    } else {
      container = s.substring(last + 1);
      String rest = s.substring(0, last);
      int prev = rest.lastIndexOf(':');
      if (prev < 0) {
        host = rest;
      } else {
        ip = rest.substring(0, prev);
        host = rest.substring(prev + 1);
        ip = hostAddress(spec, ip);
      }
    }
    int[] c = range(spec, container, false);
    if (host.isEmpty()) {
      List<PortMapping> out = new ArrayList<>();
      for (int p = c[0]; p <= c[1]; p++) {
        out.add(new PortMapping(ip, 0, p, proto));
      }
      return out;
    }
    int[] h = range(spec, host, true);
    if (h[1] - h[0] != c[1] - c[0]) {
      if (c[0] == c[1] && h[0] > 0) {
        return List.of(new PortMapping(ip, h[0], c[0], proto, 1, h[1]));
      }
      throw new Errors.UserError("invalid ranges specified for container and host Ports: " + container + " and "
          + host, Errors.RUN_FAILED);
    }
    if (h[0] == 0 && c[0] != c[1]) {
      throw bad(spec, "host port 0 with a range (leave the host port out to get free ones)");
    }
    return List.of(new PortMapping(ip, h[0], c[0], proto, c[1] - c[0] + 1));
  }

  /**
   * The host address of {@code -p}: IPv4, or IPv6 in brackets or bare (as Docker takes it), written back in its
   * usual form; "" for 0.0.0.0, every address of the host.
   */
  private static String hostAddress(String spec, String text) {
    String ip = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    try {
      if (Subnet6.looksV6(ip)) {
        return Subnet6.text(Subnet6.address(ip));
      }
      Subnet.address(ip);
    } catch (IllegalArgumentException e) {
      throw bad(spec, e.getMessage());
    }
    return ip.equals("0.0.0.0") ? "" : ip;
  }

  /** One port ({@code docker port}'s argument, an image's {@code ExposedPorts} key): a range is refused. */
  public static PortMapping single(String spec) {
    List<PortMapping> l = parse(spec);
    if (l.size() != 1 || l.get(0).range != 1) {
      throw bad(spec, "a range where one port is expected");
    }
    return l.get(0);
  }

  /** {@code PORT} or {@code START-END}: {start, end}. */
  private static int[] range(String spec, String text, boolean host) {
    int dash = text.indexOf('-');
    if (dash < 0) {
      int p = port(spec, text, host);
      return new int[] {p, p};
    }
    int start = port(spec, text.substring(0, dash), host);
    int end = port(spec, text.substring(dash + 1), host);
    if (end < start) {
      throw new Errors.UserError("invalid " + (host ? "hostPort" : "containerPort") + ": " + text
          + " (the range's end is below its start)", Errors.RUN_FAILED);
    }
    return new int[] {start, end};
  }

  private static int port(String spec, String text, boolean host) {
    try {
      int p = Integer.parseInt(text);
      if (p >= (host ? 0 : 1) && p <= 65535 && !text.startsWith("+")) {
        return p;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw bad(spec, "port '" + text + "' (1 to 65535)");
  }

  private static Errors.UserError bad(String spec, String what) {
    return new Errors.UserError("invalid -p " + spec + ": " + what + "; the form is"
        + " [IP:][HOSTPORT[-END]:]CONTAINERPORT[-END][/tcp|/udp]", Errors.RUN_FAILED);
  }

  /** {@code -P}: the image's {@code ExposedPorts} ({@code "80/tcp": {}}), each to a free host port. */
  public static List<PortMapping> exposed(Map<String, Object> exposedPorts) {
    List<PortMapping> out = new ArrayList<>();
    if (exposedPorts == null) {
      return out;
    }
    for (String k : exposedPorts.keySet()) {
      for (PortMapping p : parse(k)) {
        out.add(new PortMapping("", 0, p.containerPort, p.protocol));
      }
    }
    return out;
  }

  /** The mapping on host port {@code port} (no longer a range to pick from). */
  public PortMapping withHostPort(int port) {
    return new PortMapping(hostIp, port, containerPort, protocol, range, 0);
  }

  /** One mapping per port of the range, as {@code docker port} and inspect list them. */
  public List<PortMapping> ports() {
    if (range == 1) {
      return List.of(this);
    }
    List<PortMapping> out = new ArrayList<>();
    for (int i = 0; i < range; i++) {
      out.add(new PortMapping(hostIp, hostPort == 0 ? 0 : hostPort + i, containerPort + i, protocol));
    }
    return out;
  }

  /** What netavark reads in {@code port_mappings} (a mapping with its host port picked has no host_port_end). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("host_ip", hostIp);
    m.put("container_port", containerPort);
    m.put("host_port", hostPort);
    m.put("range", range);
    m.put("protocol", protocol);
    if (hostPortEnd != 0) {
      m.put("host_port_end", hostPortEnd);
    }
    return m;
  }

  public static PortMapping fromMap(Map<?, ?> m) {
    return new PortMapping(String.valueOf(m.get("host_ip") == null ? "" : m.get("host_ip")),
        ((Number) m.get("host_port")).intValue(), ((Number) m.get("container_port")).intValue(),
        String.valueOf(m.get("protocol")), m.get("range") instanceof Number n ? Math.max(1, n.intValue()) : 1,
        m.get("host_port_end") instanceof Number e ? e.intValue() : 0);
  }

  /** The host address as {@code docker port} and {@code ps} show it: 0.0.0.0 for every one, IPv6 in brackets. */
  public String hostText() {
    return hostIp.isEmpty() ? "0.0.0.0" : Subnet6.looksV6(hostIp) ? "[" + hostIp + "]" : hostIp;
  }

  /**
   * As {@code docker ps} shows it: {@code 0.0.0.0:8080->80/tcp}, {@code 0.0.0.0:8080-8081->80-81/tcp},
   * {@code [::1]:8080->80/tcp}.
   */
  public String text() {
    String ip = hostText();
    if (range == 1) {
      return ip + ":" + hostPort + "->" + containerPort + "/" + protocol;
    }
    return ip + ":" + hostPort + "-" + (hostPort + range - 1) + "->" + containerPort + "-"
        + (containerPort + range - 1) + "/" + protocol;
  }

  /** Whether the two would take a same host port. */
  public boolean clashes(PortMapping o) {
    return hostPort < o.hostPort + o.range && o.hostPort < hostPort + range && protocol.equals(o.protocol)
        && (hostIp.isEmpty() || o.hostIp.isEmpty() || hostIp.equals(o.hostIp));
  }
}
