package dev.dcont.cli.net;

import dev.dcont.cli.Errors;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * The host side of published ports: a port given is checked against the other containers' leases and against
 * the host (it must be free to bind, as Docker's proxy would bind it), and port 0 becomes a free one the kernel
 * picks, as podman picks one.
 */
final class HostPorts {
  private HostPorts() { }

  static List<PortMapping> assign(List<PortMapping> requested, List<Lease> leases) {
    List<PortMapping> taken = new ArrayList<>();
    for (Lease l : leases) {
      taken.addAll(l.ports());
    }
    List<PortMapping> out = new ArrayList<>();
    for (PortMapping p : requested) {
      PortMapping q = p.hostPort() == 0 ? free(p, taken) : p.hostPortEnd() != 0 ? inRange(p, taken) : p;
      if (p.hostPort() != 0 && p.hostPortEnd() == 0) {
        for (PortMapping t : taken) {
          if (t.clashes(q)) {
            throw new Errors.UserError("host port " + where(q) + " is already published by another container"
                + " (choose another -p)", Errors.RUN_FAILED);
          }
        }
        String refused = bindable(q);
        if (refused != null) {
          throw new Errors.UserError(refused.contains("in use")
              ? "host port " + where(q) + " is already in use on the host (choose another -p)"
              : "cannot publish on " + where(q) + ": " + refused, Errors.RUN_FAILED);
        }
      }
      taken.add(q);
      out.add(q);
    }
    return out;
  }

  private static String where(PortMapping p) {
    return p.hostText() + ":" + p.hostPort()
        + (p.range() == 1 ? "" : "-" + (p.hostPort() + p.range() - 1)) + "/" + p.protocol();
  }

  private static PortMapping free(PortMapping p, List<PortMapping> taken) {
    for (int i = 0; i < 100; i++) {
      int port;
      try {
        port = p.protocol().equals("udp") ? bindUdp(p.hostIp(), 0) : bindTcp(p.hostIp(), 0);
      } catch (IOException e) {
        throw new Errors.UserError("no free host port for " + p.containerPort() + "/" + p.protocol() + ": "
            + e.getMessage(), Errors.RUN_FAILED);
      }
      PortMapping q = p.withHostPort(port);
      if (taken.stream().noneMatch(q::clashes)) {
        return q;
      }
    }
    throw new Errors.UserError("no free host port for " + p.containerPort() + "/" + p.protocol(), Errors.RUN_FAILED);
  }

  /** {@code -p START-END:PORT}: the first port of the host range that is neither published nor bound. */
  private static PortMapping inRange(PortMapping p, List<PortMapping> taken) {
    for (int port = p.hostPort(); port <= p.hostPortEnd(); port++) {
      PortMapping q = p.withHostPort(port);
      if (taken.stream().noneMatch(q::clashes) && bindable(q) == null) {
        return q;
      }
    }
    throw new Errors.UserError("no free host port in " + p.hostText() + ":"
        + p.hostPort() + "-" + p.hostPortEnd() + "/" + p.protocol() + " for " + p.containerPort()
        + " (choose another -p)", Errors.RUN_FAILED);
  }

  /** Null when the port can be bound now, else why not. */
  private static String bindable(PortMapping p) {
    for (PortMapping one : p.ports()) {
      String refused = bindableOne(one);
      if (refused != null) {
        return refused;
      }
    }
    return null;
  }

  private static String bindableOne(PortMapping p) {
    try {
      if (p.protocol().equals("udp")) {
        bindUdp(p.hostIp(), p.hostPort());
      } else {
        bindTcp(p.hostIp(), p.hostPort());
      }
      return null;
    } catch (IOException e) {
      String m = String.valueOf(e.getMessage());
      return m.contains("already in use") ? "in use" : m;
    }
  }

  private static InetSocketAddress address(String ip, int port) throws IOException {
    return ip.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(InetAddress.getByName(ip), port);
  }

  private static int bindTcp(String ip, int port) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(address(ip, port));
      return s.getLocalPort();
    }
  }

  private static int bindUdp(String ip, int port) throws IOException {
    try (DatagramSocket s = new DatagramSocket(null)) {
      s.bind(address(ip, port));
      return s.getLocalPort();
    }
  }
}
