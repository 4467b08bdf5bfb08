package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.Poll;
import dev.dcont.testkit.TestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a Docker user sees of networks, checked against Docker's own output: names on a user network, the ports
 * of {@code ps}, {@code port} and inspect, network labels and filters. As in {@link NetworkIntegrationTest}, every
 * test runs dcont, its containers and its clients in a network namespace of its own.
 */
class NetworkDockerParityIntegrationTest extends NetworkTestBase {
  @BeforeAll
  static void setUp() throws Exception {
    host = ContainerHost.start("netparity", "networks need namespaces, netavark and iptables");
    image = host.pushAndPull(root, "t/parity", TestImage.builder()
        .layer(Busybox.rootfs().file("www/index.html", "hello\n").build(), Layer.Compression.GZIP)
        .config("Cmd", List.of("sh")).config("Env", List.of("PATH=/bin"))
        .config("ExposedPorts", Map.of("80/tcp", Map.of(), "53/udp", Map.of())).build());
  }

  @Test
  void aContainerOnAUserNetworkIsFoundByItsShortIdWhateverItsHostnameAndInspectListsItsNames() throws Exception {
    assertEquals(0, dcont("network", "create", "--subnet", "10.131.0.0/24", "ids").code());
    Cli.Result a = dcont("run", "-d", "--network", "ids", "--name", "a", "--hostname", "other", "--network-alias",
        "al", image, "sleep", "300");
    assertEquals(0, a.code(), a.toString());
    String shortId = a.out().strip().substring(0, 12);
    JsonDoc onIds = inspect("a").get("NetworkSettings").get("Networks").get("ids");
    String ip = onIds.get("IPAddress").asText();
    assertEquals(List.of("al"), onIds.get("Aliases").value(), onIds.toString());
    assertEquals(List.of("a", "al", shortId, "other"), onIds.get("DNSNames").value(), onIds.toString());
    Cli.Result client = dcont("run", "--rm", "--network", "ids", image, "busybox", "ping", "-c", "1", "-W", "2",
        shortId);
    assertEquals(0, client.code(), client.toString());
    assertTrue(client.out().contains("PING " + shortId + " (" + ip + ")"), client.toString());
  }

  @Test
  void psPortAndInspectShowPortsAsDockerDoesWithTheExposedOnesUnpublished() throws Exception {
    Cli.Result web = dcont("run", "-d", "--name", "web", "-p", "9443:443", "-p", "8080:80", image, "sleep", "300");
    assertEquals(0, web.code(), web.toString());
    String ps = dcont("ps").out();
    assertTrue(ps.contains(" 53/udp, 0.0.0.0:8080->80/tcp, 0.0.0.0:9443->443/tcp "), ps);
    assertEquals("80/tcp -> 0.0.0.0:8080\n443/tcp -> 0.0.0.0:9443\n", dcont("port", "web").out());
    JsonDoc ports = inspect("web").get("NetworkSettings").get("Ports");
    assertTrue(ports.has("53/udp"), ports.toString());
    assertNull(ports.get("53/udp").value(), ports.toString());
    assertEquals("8080", ports.get("80/tcp").get(0).get("HostPort").asText());

    assertEquals(0, dcont("kill", "web").code());
    Poll.until("web to stop", Duration.ofSeconds(20),
        () -> !inspect("web").get("State").get("Running").asBoolean());
    JsonDoc stopped = inspect("web").get("NetworkSettings");
    assertEquals(0, stopped.get("Ports").size(), stopped.toString());
    String bridgeId = JsonDoc.parse(dcont("network", "inspect", "bridge").out()).get(0).get("Id").asText();
    assertEquals(bridgeId, stopped.get("Networks").get("bridge").get("NetworkID").asText(), stopped.toString());
    assertEquals("", stopped.get("Networks").get("bridge").get("IPAddress").asText(), stopped.toString());
  }

  @Test
  void portsPublishedOnAnInternalNetworkAreDiscardedWithAWarningAndTakeNoHostPort() throws Exception {
    assertEquals(0, dcont("network", "create", "--internal", "--subnet", "10.132.0.0/24", "inside").code());
    Cli.Result in = dcont("run", "-d", "--network", "inside", "--name", "in", "-p", "7373:80", image, "sleep", "300");
    assertEquals(0, in.code(), in.toString());
    assertTrue(in.out().startsWith("WARNING: published ports are discarded on internal network inside"),
        in.toString());
    assertEquals("", dcont("port", "in").out());
    Cli.Result out = dcont("run", "-d", "--name", "out", "-p", "7373:80", image, "sleep", "300");
    assertEquals(0, out.code(), out.toString());
    assertEquals("80/tcp -> 0.0.0.0:7373\n", dcont("port", "out").out());
  }

  @Test
  void aDetachedContainerThatEndsReleasesItsNetworkWithoutAnotherCommand() throws Exception {
    Cli.Result r = dcont("run", "-d", "-p", "7474:80", image, "true");
    assertEquals(0, r.code(), r.toString());
    Path lease = root.resolve("network").resolve("leases").resolve(r.out().strip() + ".json");
    // no dcont command runs meanwhile: the container's monitor releases it
    Poll.until("the ended container's lease and port rules to go", Duration.ofSeconds(30),
        () -> !Files.exists(lease) && !ns.exec("iptables-save").out().contains("7474"));
  }
}
