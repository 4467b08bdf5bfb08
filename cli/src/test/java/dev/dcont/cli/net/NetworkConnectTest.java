package dev.dcont.cli.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NetworkConnectTest {
  @Test
  void aConnectedNetworkGetsTheNextFreeInterface() {
    Map<String, Object> nets = new LinkedHashMap<>();
    nets.put("a", Map.of("interface_name", "eth0"));
    assertEquals(1, NetworkConnect.nextInterface(nets));
    nets.put("c", Map.of("interface_name", "eth2"));
    assertEquals(1, NetworkConnect.nextInterface(nets), "the first free, as podman's");
    nets.remove("a");
    assertEquals(0, NetworkConnect.nextInterface(nets), "eth0 again once it is disconnected");
    assertEquals(0, NetworkConnect.nextInterface(Map.of()));
  }
}
