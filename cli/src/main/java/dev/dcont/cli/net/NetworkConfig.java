package dev.dcont.cli.net;

import dev.dcont.store.model.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's network configuration ({@code network.json} in its bundle), the one place that reads and writes
 * it: the network {@code run} or {@code create} asked for, its ports, name servers, the image's exposed ports
 * (which {@code ps} and inspect show unpublished), and the networks the container is attached to at its start
 * ({@code endpoints}, eth0 first), which {@code network connect} and {@code disconnect} change. A container of
 * {@code --network host} or {@code none} has none.
 */
public final class NetworkConfig {
  private static final String FILE = "network.json";

  private NetworkConfig() { }

  /** What the file holds: the request and the image's exposed ports, as {@code 80/tcp}. */
  public record Stored(ContainerNetworks.Request request, List<String> exposed) {
    /** The same with the container attached to {@code endpoints} at its next start. */
    public Stored withEndpoints(List<Endpoint> endpoints) {
      ContainerNetworks.Request r = request;
      return new Stored(new ContainerNetworks.Request(r.network(), r.aliases(), r.ip(), r.ip6(), r.ports(),
          r.dnsServers(), List.copyOf(endpoints)), exposed);
    }
  }

  /**
   * Writes the configuration into {@code bundle} at once (a rename), so that a {@code start} reading it under the
   * network lock sees the old or the new endpoints, never a part.
   */
  public static void write(Path bundle, Stored s) throws IOException {
    ContainerNetworks.Request r = s.request();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("network", r.network());
    m.put("aliases", r.aliases());
    if (r.ip() != null) {
      m.put("ip", r.ip());
    }
    if (r.ip6() != null) {
      m.put("ip6", r.ip6());
    }
    m.put("ports", r.ports().stream().map(PortMapping::toMap).toList());
    m.put("exposed", s.exposed());
    m.put("dns_servers", r.dnsServers());
    m.put("endpoints", Endpoint.maps(r.endpoints()));
    Path file = bundle.resolve(FILE);
    Path tmp = bundle.resolve(FILE + ".tmp");
    Files.write(tmp, Json.write(m));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The configuration in {@code bundle}; null when the container has none (host, none). */
  public static Stored read(Path bundle) throws IOException {
    Path f = bundle.resolve(FILE);
    Map<String, Object> m;
    try {
      m = Json.readObject(Files.readAllBytes(f), f.toString());
    } catch (NoSuchFileException e) {
      return null;
    }
    try {
      List<PortMapping> ports = new ArrayList<>();
      if (m.get("ports") instanceof List<?> l) {
        for (Object o : l) {
          if (!(o instanceof Map<?, ?> port)) {
            throw new IllegalArgumentException("a port that is not an object");
          }
          ports.add(PortMapping.fromMap(port));
        }
      }
      List<String> exposed = strings(m.get("exposed"));
      ContainerNetworks.Request r = new ContainerNetworks.Request(String.valueOf(m.get("network")),
          strings(m.get("aliases")), text(m.get("ip")), text(m.get("ip6")), ports, strings(m.get("dns_servers")),
          Endpoint.ofConfig(m));
      return new Stored(r, exposed);
    } catch (RuntimeException e) {
      throw new IOException(f + " is not a network configuration of dcont's (" + (e instanceof IllegalArgumentException
          ? e.getMessage() : "unreadable") + "); remove the container", e);
    }
  }

  private static List<String> strings(Object o) {
    return o instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
  }

  private static String text(Object o) {
    return o == null ? null : String.valueOf(o);
  }
}
