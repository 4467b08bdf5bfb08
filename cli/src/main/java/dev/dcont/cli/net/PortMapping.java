package dev.dcont.cli.net;

import dev.dcont.cli.Errors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One published port: {@code hostIp} ("" for every address of the host), {@code hostPort} (0 until a free one
 * is picked for {@code -p CONTAINERPORT} and {@code -P}), the container's port and tcp or udp.
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {

  /** {@code -p [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]}, as Docker reads it. */
  public static PortMapping parse(String spec) {
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
        if (ip.startsWith("[") || ip.contains(":")) {
          throw bad(spec, "an IPv6 host address (dcont's networks are IPv4)");
        }
        try {
          Subnet.address(ip);
        } catch (IllegalArgumentException e) {
          throw bad(spec, e.getMessage());
        }
        if (ip.equals("0.0.0.0")) {
          ip = "";
        }
      }
    }
    int cport = port(spec, container, false);
    int hport = host.isEmpty() ? 0 : port(spec, host, true);
    return new PortMapping(ip, hport, cport, proto);
  }

  private static int port(String spec, String text, boolean host) {
    if (text.contains("-")) {
      throw bad(spec, "a port range (publish each port with its own -p)");
    }
    try {
      int p = Integer.parseInt(text);
      if (p >= (host ? 0 : 1) && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw bad(spec, "port '" + text + "' (1 to 65535)");
  }

  private static Errors.UserError bad(String spec, String what) {
    return new Errors.UserError("invalid -p " + spec + ": " + what + "; the form is"
        + " [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]", Errors.RUN_FAILED);
  }

  /** {@code -P}: the image's {@code ExposedPorts} ({@code "80/tcp": {}}), each to a free host port. */
  public static List<PortMapping> exposed(Map<String, Object> exposedPorts) {
    List<PortMapping> out = new ArrayList<>();
    if (exposedPorts == null) {
      return out;
    }
    for (String k : exposedPorts.keySet()) {
      PortMapping p = parse(k);
      out.add(new PortMapping("", 0, p.containerPort, p.protocol));
    }
    return out;
  }

  public PortMapping withHostPort(int port) {
    return new PortMapping(hostIp, port, containerPort, protocol);
  }

  /** What netavark reads in {@code port_mappings}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("host_ip", hostIp);
    m.put("container_port", containerPort);
    m.put("host_port", hostPort);
    m.put("range", 1);
    m.put("protocol", protocol);
    return m;
  }

  public static PortMapping fromMap(Map<?, ?> m) {
    return new PortMapping(String.valueOf(m.get("host_ip") == null ? "" : m.get("host_ip")),
        ((Number) m.get("host_port")).intValue(), ((Number) m.get("container_port")).intValue(),
        String.valueOf(m.get("protocol")));
  }

  /** As {@code docker ps} and {@code docker port} show it: {@code 0.0.0.0:8080->80/tcp}. */
  public String text() {
    return (hostIp.isEmpty() ? "0.0.0.0" : hostIp) + ":" + hostPort + "->" + containerPort + "/" + protocol;
  }

  /** Whether the two would take the same host port. */
  public boolean clashes(PortMapping o) {
    return hostPort == o.hostPort && protocol.equals(o.protocol)
        && (hostIp.isEmpty() || o.hostIp.isEmpty() || hostIp.equals(o.hostIp));
  }
}
