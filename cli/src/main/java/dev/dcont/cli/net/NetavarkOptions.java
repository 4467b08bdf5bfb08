package dev.dcont.cli.net;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options netavark's {@code setup} and {@code teardown} take for a container, as podman's libnetwork writes
 * them: per network its interface, static address and names (on a network with names: the container's name, its
 * aliases and its hostname, which aardvark-dns answers), and for the container its published ports, which
 * netavark forwards to the container's address on every network of the call.
 */
final class NetavarkOptions {
  private NetavarkOptions() { }

  static Map<String, Object> perNetwork(String iface, List<String> staticIps, NetworkDef net, String id,
      String name, List<String> aliases, String hostname) {
    Map<String, Object> perNet = new LinkedHashMap<>();
    perNet.put("interface_name", iface);
    perNet.put("static_ips", staticIps);
    if (net.dns()) {
      List<String> names = new ArrayList<>(List.of(name));
      aliases.stream().filter(a -> !names.contains(a)).forEach(names::add);
      // Docker's names of a container on a user network also include its short ID, whatever its hostname
      for (String n : java.util.Arrays.asList(id.substring(0, Math.min(12, id.length())), hostname)) {
        if (n != null && !names.contains(n)) {
          names.add(n);
        }
      }
      perNet.put("aliases", names);
    }
    return perNet;
  }

  static Map<String, Object> options(String id, String name, Map<String, Object> networks,
      Map<String, Object> info, Object portMappings, Object dnsServers) {
    Map<String, Object> options = new LinkedHashMap<>();
    options.put("container_id", id);
    options.put("container_name", name);
    options.put("networks", networks);
    options.put("network_info", info);
    if (portMappings instanceof List<?> l && !l.isEmpty()) {
      // as podman: netavark makes a port-forwarding chain for any list it is given, an empty one too
      options.put("port_mappings", portMappings);
    }
    if (dnsServers instanceof List<?> l && !l.isEmpty()) {
      options.put("dns_servers", dnsServers);
    }
    return options;
  }
}
