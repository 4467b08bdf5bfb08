package dev.dcont.cli.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkConfigTest {
  @TempDir
  Path bundle;

  @Test
  void whatIsWrittenIsReadBackWithItsEndpointsChangedInOneRename() throws IOException {
    ContainerNetworks.Request r = new ContainerNetworks.Request("n1", List.of("web"), "10.1.0.5", null,
        PortMapping.parse("8080:80/udp"), List.of("10.0.0.53"));
    NetworkConfig.write(bundle, new NetworkConfig.Stored(r, List.of("80/tcp")));
    NetworkConfig.Stored s = NetworkConfig.read(bundle);
    assertEquals(r, s.request());
    assertEquals(List.of("80/tcp"), s.exposed());

    List<Endpoint> two = List.of(r.endpoints().get(0), new Endpoint("n2", List.of(), null, "fd00::9"));
    NetworkConfig.write(bundle, s.withEndpoints(two));
    NetworkConfig.Stored again = NetworkConfig.read(bundle);
    assertEquals(two, again.request().endpoints());
    assertEquals(r.ports(), again.request().ports(), "only the endpoints change");
    try (var files = Files.list(bundle)) {
      assertEquals(List.of(bundle.resolve("network.json")), files.toList(), "no temporary file left");
    }
  }

  @Test
  void aConfigurationWrittenBeforeContainersHadSeveralNetworksIsItsOneNetwork() throws IOException {
    Files.writeString(bundle.resolve("network.json"),
        "{\"network\":\"bridge\",\"aliases\":[\"a\"],\"ip\":\"172.17.0.9\",\"ports\":[]}");
    ContainerNetworks.Request r = NetworkConfig.read(bundle).request();
    assertEquals(List.of(new Endpoint("bridge", List.of("a"), "172.17.0.9", null)), r.endpoints());
    assertTrue(NetworkConfig.read(bundle).exposed().isEmpty());
  }

  @Test
  void noFileIsNoNetworkAndABrokenOneIsAnError() throws IOException {
    assertNull(NetworkConfig.read(bundle), "host and none containers have none");
    Files.writeString(bundle.resolve("network.json"), "{\"network\":\"n\",\"ports\":[7]}");
    IOException e = assertThrows(IOException.class, () -> NetworkConfig.read(bundle));
    assertTrue(e.getMessage().contains("network.json"), e.getMessage());
    assertFalse(e.getMessage().contains("ClassCastException"), e.getMessage());
  }
}
