package dev.dcont.cli.net;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One network a container is attached to, as its configuration keeps it across starts (Docker's
 * {@code NetworkSettings.Networks} with their {@code Aliases} and {@code IPAMConfig}, podman's per-container
 * network options): the network's name, the aliases asked for on it and the addresses asked for (null: any).
 */
public record Endpoint(String network, List<String> aliases, String ip, String ip6) {
  public Endpoint {
    aliases = List.copyOf(aliases);
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("network", network);
    m.put("aliases", aliases);
    if (ip != null) {
      m.put("ip", ip);
    }
    if (ip6 != null) {
      m.put("ip6", ip6);
    }
    return m;
  }

  static Endpoint fromMap(Map<?, ?> m) {
    List<String> aliases = m.get("aliases") instanceof List<?> a ? a.stream().map(String::valueOf).toList()
        : List.of();
    return new Endpoint(String.valueOf(m.get("network")), aliases,
        m.get("ip") == null ? null : String.valueOf(m.get("ip")),
        m.get("ip6") == null ? null : String.valueOf(m.get("ip6")));
  }

  /** The endpoints of a list of maps (network.json's {@code endpoints}). */
  public static List<Endpoint> list(Object maps) {
    List<Endpoint> out = new ArrayList<>();
    if (maps instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Map<?, ?> m) {
          out.add(fromMap(m));
        }
      }
    }
    return out;
  }

  /**
   * The endpoints of a container's network configuration (network.json): its {@code endpoints}, or, as written
   * before containers had more than one network, the one network of {@code run}.
   */
  public static List<Endpoint> ofConfig(Map<String, Object> conf) {
    if (conf.containsKey("endpoints")) {
      return list(conf.get("endpoints"));
    }
    return List.of(fromMap(conf));
  }

  public static List<Map<String, Object>> maps(List<Endpoint> endpoints) {
    return endpoints.stream().map(Endpoint::toMap).toList();
  }

  /** {@code endpoints} less the one on {@code network}. */
  public static List<Endpoint> without(List<Endpoint> endpoints, String network) {
    return endpoints.stream().filter(e -> !e.network().equals(network)).toList();
  }

  /** Whether one of {@code endpoints} is on {@code network}. */
  public static boolean on(List<Endpoint> endpoints, String network) {
    return endpoints.stream().anyMatch(e -> e.network().equals(network));
  }
}
