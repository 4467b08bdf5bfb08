package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.Poll;
import dev.dcont.testkit.TestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code network connect|disconnect} of stopped containers, of the network a running container was started on,
 * and of containers with published ports, through netavark and aardvark-dns, and {@code start} on the networks a
 * container is attached to. As NetworkIntegrationTest, each test runs dcont, its containers and its clients in a
 * network namespace of its own.
 */
class NetworkConnectIntegrationTest extends NetworkTestBase {
  @BeforeAll
  static void setUp() throws Exception {
    host = ContainerHost.start("netconnect", "networks need namespaces, netavark and iptables");
    image = host.pushAndPull(root, "t/webc", TestImage.builder()
        .layer(Busybox.rootfs().file("www/index.html", "hello from the container\n").build(),
            Layer.Compression.GZIP)
        .config("Cmd", List.of("sh")).config("Env", List.of("PATH=/bin")).build());
  }

  private List<String> networksOf(String container) throws Exception {
    Object nets = inspect(container).get("NetworkSettings").get("Networks").value();
    return ((java.util.Map<?, ?>) nets).keySet().stream().map(String::valueOf).toList();
  }

  private String ipOn(String container, String network) throws Exception {
    return inspect(container).get("NetworkSettings").get("Networks").get(network).get("IPAddress").asText();
  }

  /** A client on {@code network} fetching {@code http://NAME/}, given a few tries while the server comes up. */
  private Cli.Result fetchByName(String network, String name) throws Exception {
    return dcont("run", "--rm", "--network", network, image, "sh", "-c",
        "for i in 1 2 3 4 5 6 7 8 9 10; do busybox wget -q -O - http://" + name + "/ && exit 0; sleep 0.3; done;"
            + " exit 1");
  }

  /** A client on {@code network} that fails to fetch from {@code name} (no such name there, or no answer). */
  private void unreachable(String network, String name) throws Exception {
    Cli.Result r = dcont("run", "--rm", "--network", network, image, "sh", "-c",
        "busybox timeout 5 busybox wget -q -O - http://" + name + "/");
    assertNotEquals(0, r.code(), name + " answers on " + network + ": " + r);
  }

  private void web(String network, String... more) throws Exception {
    List<String> a = new ArrayList<>(List.of("run", "-d", "--network", network, "--name", "web"));
    a.addAll(List.of(more));
    a.addAll(List.of(image, "busybox", "httpd", "-f", "-p", "80", "-h", "/www"));
    ok(a.toArray(String[]::new));
  }

  /** The interfaces in the container's namespace, as the kernel lists them. */
  private String interfaces(String container) throws Exception {
    Cli.Result r = dcont("exec", container, "cat", "/proc/net/dev");
    assertEquals(0, r.code(), r.toString());
    return r.out();
  }

  private void networks(String... subnetAndName) throws Exception {
    for (int i = 0; i < subnetAndName.length; i += 2) {
      ok("network", "create", "--subnet", subnetAndName[i], subnetAndName[i + 1]);
    }
  }

  @Test
  void aStoppedContainerConnectedToANetworkIsFoundThereByNameAndAliasOnceStarted() throws Exception {
    networks("10.131.0.0/24", "neta", "10.132.0.0/24", "netb");
    web("netb");
    ok("stop", "-t", "1", "web");

    ok("network", "connect", "--alias", "www", "neta", "web");
    assertEquals(List.of("netb", "neta"), networksOf("web"), "a stopped container lists the network connected");
    Cli.Result again = dcont("network", "connect", "neta", "web");
    assertEquals(1, again.code(), again.toString());
    assertTrue(again.err().contains("already exists in network neta"), again.toString());
    unreachable("neta", "web");

    ok("start", "web");
    String ipa = ipOn("web", "neta");
    String ipb = ipOn("web", "netb");
    assertTrue(ipa.startsWith("10.131.0."), ipa);
    assertTrue(ipb.startsWith("10.132.0."), ipb);
    Cli.Result byAlias = fetchByName("neta", "www");
    assertEquals("hello from the container\n", byAlias.out(), byAlias.toString());
    Cli.Result byName = fetchByName("neta", "web");
    assertEquals("hello from the container\n", byName.out(), byName.toString());
    assertEquals("hello from the container\n", fetchByName("netb", "web").out(), "and still on its first network");
    String ifs = interfaces("web");
    assertTrue(ifs.contains("eth0:") && ifs.contains("eth1:"), ifs);
    String hosts = dcont("exec", "web", "cat", "/etc/hosts").out();
    assertTrue(hosts.contains(ipb + "\t") && hosts.contains(ipa + "\t"), "both addresses in hosts: " + hosts);
    String resolv = dcont("exec", "web", "cat", "/etc/resolv.conf").out();
    assertTrue(resolv.contains("nameserver 10.132.0.1\nnameserver 10.131.0.1\n"),
        "aardvark-dns of both networks, eth0's first: " + resolv);

    ok("rm", "-f", "web");
    ok("network", "rm", "neta", "netb");
    assertNothingLeft("10.131.0.", "10.132.0.");
  }

  @Test
  void aCreatedContainerJoinsItsNetworkWhenItStartsAndKeepsItsNamesAndPortsThroughARestart() throws Exception {
    networks("10.144.0.0/24", "netc");
    ok("create", "--network", "netc", "--network-alias", "site", "-p", "8094:80", "--name", "web", image,
        "busybox", "httpd", "-f", "-p", "80", "-h", "/www");
    assertFalse(ns.exec("ip", "-o", "link").out().contains("veth"), "no interface before it starts");
    assertFalse(ns.exec("iptables-save").out().contains("8094"), "no port forwarded before it starts");
    assertEquals(List.of("netc"), networksOf("web"));
    unreachable("netc", "site");
    networks("10.145.0.0/24", "netd");
    Cli.Result outside = dcont("network", "connect", "--ip", "10.144.0.9", "netd", "web");
    assertEquals(1, outside.code(), "Docker's exit code for a network command: " + outside);
    assertEquals(1, outside.err().lines().count(), outside.toString());
    assertTrue(outside.err().contains("10.145.0.0/24"), outside.toString());
    assertEquals(List.of("netc"), networksOf("web"), "not connected");
    ok("network", "rm", "netd");

    assertEquals("web\n", ok("start", "web").out());
    assertTrue(ipOn("web", "netc").startsWith("10.144.0."), ipOn("web", "netc"));
    assertEquals("hello from the container\n", fetchByName("netc", "site").out(), "by its alias");
    assertEquals("hello from the container\n", fetchEventually("http://127.0.0.1:8094/"), "its published port");
    assertEquals("80/tcp -> 0.0.0.0:8094\n", ok("port", "web").out());

    assertEquals("web\n", ok("restart", "-t", "1", "web").out());
    assertEquals("hello from the container\n", fetchByName("netc", "web").out(), "by name after the restart");
    assertEquals("hello from the container\n", fetchEventually("http://127.0.0.1:8094/"), "and its port");

    // attached: a client created on the network runs in the foreground, finds the server, gives its exit code
    ok("create", "--network", "netc", "--name", "client", image, "sh", "-c",
        "busybox wget -q -O - http://site/ && exit 4");
    Cli.Result attached = dcont("start", "-a", "client");
    assertEquals(4, attached.code(), attached.toString());
    assertTrue(attached.out().contains("hello from the container"), attached.toString());
    assertEquals(List.of(inspect("web").get("Id").asText()), leases(),
        "the client's network released when it ended");

    ok("rm", "-f", "web", "client");
    ok("network", "rm", "netc");
    assertNothingLeft("10.144.0.", "8094");
  }

  /** The IDs of the containers that hold a lease on a network now. */
  private List<String> leases() throws Exception {
    try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(root.resolve("network")
        .resolve("leases"))) {
      return s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - ".json".length())).toList();
    }
  }

  @Test
  void aNetworkDisconnectedFromAStoppedContainerIsNotAttachedAtItsStartAndTheLastMayGoToo() throws Exception {
    networks("10.133.0.0/24", "neta", "10.134.0.0/24", "netb");
    web("neta");
    ok("network", "connect", "netb", "web");
    ok("stop", "-t", "1", "web");

    ok("network", "disconnect", "neta", "web");
    assertEquals(List.of("netb"), networksOf("web"));
    Cli.Result notOn = dcont("network", "disconnect", "neta", "web");
    assertEquals(1, notOn.code(), notOn.toString());
    assertTrue(notOn.err().contains("is not connected to network neta"), notOn.toString());

    ok("start", "web");
    assertEquals(List.of("netb"), networksOf("web"));
    String ip = inspect("web").get("NetworkSettings").get("IPAddress").asText();
    assertTrue(ip.startsWith("10.134.0."), "eth0 is on netb now: " + ip);
    assertEquals("hello from the container\n", fetchByName("netb", "web").out());
    unreachable("neta", "web");
    String ifs = interfaces("web");
    assertTrue(ifs.contains("eth0:") && !ifs.contains("eth1:"), ifs);
    assertFalse(ns.exec("iptables-save").out().contains("10.133.0."), "no rule for neta");

    // as Docker and podman: the last network goes too, and the container starts with loopback alone
    ok("stop", "-t", "1", "web");
    ok("network", "disconnect", "netb", "web");
    assertEquals(List.of(), networksOf("web"));
    ok("start", "web");
    ifs = interfaces("web");
    assertTrue(ifs.contains("lo:") && !ifs.contains("eth0:"), ifs);
    unreachable("netb", "web");
    ok("network", "connect", "neta", "web");
    assertEquals("hello from the container\n", fetchByName("neta", "web").out(), "connected again while it runs");

    ok("stop", "-t", "1", "web");
    ok("network", "rm", "neta");
    Cli.Result gone = dcont("start", "web");
    assertEquals(1, gone.code(), gone.toString());
    assertEquals(1, gone.err().lines().count(), gone.toString());
    assertTrue(gone.err().contains("network neta not found"), gone.toString());
    ok("network", "disconnect", "neta", "web");
    ok("start", "web");
    assertEquals(List.of(), networksOf("web"));

    ok("rm", "-f", "web");
    ok("network", "rm", "netb");
    assertNothingLeft("10.133.0.", "10.134.0.");
  }

  @Test
  void theNetworkARunningContainerWasStartedOnIsDisconnectedAndItKeepsItsOthers() throws Exception {
    networks("10.135.0.0/24", "neta", "10.136.0.0/24", "netb");
    web("neta");
    ok("network", "connect", "netb", "web");
    String ipa = ipOn("web", "neta");
    assertEquals("hello from the container\n", fetchByName("neta", "web").out());

    ok("network", "disconnect", "neta", "web");
    assertEquals(List.of("netb"), networksOf("web"));
    assertEquals("hello from the container\n", fetchByName("netb", "web").out(), "still reachable on netb");
    unreachable("neta", "web");
    String ifs = interfaces("web");
    assertTrue(!ifs.contains("eth0:") && ifs.contains("eth1:"), ifs);
    assertFalse(dcont("exec", "web", "cat", "/etc/hosts").out().contains(ipa + "\t"), "its neta line is gone");
    String resolv = dcont("exec", "web", "cat", "/etc/resolv.conf").out();
    assertTrue(resolv.contains("nameserver 10.136.0.1") && !resolv.contains("10.135.0.1"),
        "netb's aardvark-dns alone: " + resolv);
    assertFalse(ns.exec("iptables-save").out().contains(ipa), "no rule for its neta address left");
    JsonDoc net = JsonDoc.parse(dcont("network", "inspect", "neta").out()).get(0);
    assertEquals(0, net.get("Containers").size(), "neta lists no container");

    ok("stop", "-t", "1", "web");
    ok("start", "web");
    assertEquals(List.of("netb"), networksOf("web"), "a start after uses the networks left alone");
    assertEquals("hello from the container\n", fetchByName("netb", "web").out());
    unreachable("neta", "web");

    ok("rm", "-f", "web");
    ok("network", "rm", "neta", "netb");
    assertNothingLeft("10.135.0.", "10.136.0.");
  }

  @Test
  void publishedPortsAreForwardedOnANetworkConnectedLaterAndGoWithTheirNetwork() throws Exception {
    networks("10.137.0.0/24", "neta", "10.138.0.0/24", "netb");
    web("neta", "-p", "18080:80");
    assertEquals("hello from the container\n", fetchEventually("http://127.0.0.1:18080/"));
    String ipa = ipOn("web", "neta");

    ok("network", "connect", "netb", "web");
    String ipb = ipOn("web", "netb");
    String nat = ns.exec("iptables", "-t", "nat", "-S").out();
    assertTrue(nat.contains("--to-destination " + ipb + ":80"), "the port forwarded to netb's address too:\n" + nat);

    ok("network", "disconnect", "neta", "web");
    nat = ns.exec("iptables", "-t", "nat", "-S").out();
    assertFalse(nat.contains(ipa), "no rule for neta's address left:\n" + nat);
    assertTrue(nat.contains("--to-destination " + ipb + ":80"), nat);
    assertEquals("hello from the container\n", fetchEventually("http://127.0.0.1:18080/"),
        "the port answers through netb");
    assertTrue(dcont("port", "web").out().contains("18080"), "port lists it still");

    ok("stop", "-t", "1", "web");
    ok("start", "web");
    assertEquals("hello from the container\n", fetchEventually("http://127.0.0.1:18080/"),
        "and after a start, on netb alone");

    ok("rm", "-f", "web");
    assertFalse(ns.exec("iptables", "-t", "nat", "-S").out().contains("18080"), "no port rule after rm");
    ok("network", "rm", "neta", "netb");
    assertNothingLeft("10.137.0.", "10.138.0.", "18080");
  }

  @Test
  void aContainerJoinsAnotherContainersNetworkAtEachStartAndHasNothingOfItsOwn() throws Exception {
    ok("network", "create", "--subnet", "10.152.0.0/24", "joined");
    ok("run", "-d", "--name", "server", "--network", "joined", image, "busybox", "httpd", "-f", "-p", "80", "-h",
        "/www");
    String serverIp = ipOn("server", "joined");
    Cli.Result r = ok("run", "--rm", "--network", "container:server", image, "sh", "-c",
        "hostname; ip -4 -o addr show eth0; busybox wget -q -O - http://127.0.0.1:80/; cat /etc/hosts");
    String server = inspect("server").get("Id").asText();
    assertTrue(r.out().startsWith(server.substring(0, 12) + "\n"), "the server's hostname: " + r);
    assertTrue(r.out().contains("inet " + serverIp + "/24"), "the server's interface: " + r);
    assertTrue(r.out().contains("hello from the container"), "the server on the shared loopback: " + r);
    assertTrue(r.out().contains(serverIp + "\t"), "the server's /etc/hosts: " + r);

    // one without a network of its own: its process's namespace, its loopback alone
    ok("run", "-d", "--name", "lone", "--network", "none", image, "busybox", "httpd", "-f", "-p", "81", "-h", "/www");
    Cli.Result lone = ok("run", "--rm", "--network", "container:lone", image, "sh", "-c",
        "ip -o link | wc -l; busybox wget -q -O - http://127.0.0.1:81/");
    assertTrue(lone.out().startsWith("1\n") && lone.out().contains("hello from the container"), lone.toString());
    // its namespace is bound to a file of the joiner's, not named by a pid that could be another's by then
    ok("create", "--name", "lclient", "--network", "container:lone", image, "busybox", "wget", "-q", "-O", "-",
        "http://127.0.0.1:81/");
    assertTrue(ok("start", "-a", "lclient").out().contains("hello from the container"));
    String kept = inspect("lclient").get("Id").asText() + "/joined-netns";
    assertTrue(inspect("lclient").get("Spec").toString().contains(kept), inspect("lclient").get("Spec").toString());
    ok("rm", "lclient");
    assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(kept), "released with the joiner");

    // created: the namespace is found at each start, so it follows the server through a restart
    ok("create", "--name", "client", "--network", "container:server", image, "busybox", "wget", "-q", "-O", "-",
        "http://127.0.0.1:80/");
    assertEquals("container:" + server, inspect("client").get("HostConfig").get("NetworkMode").asText());
    assertTrue(ok("start", "-a", "client").out().contains("hello from the container"));
    ok("restart", "-t", "1", "server");
    Poll.until("the server answers again", java.time.Duration.ofSeconds(20),
        () -> dcont("start", "-a", "client").out().contains("hello from the container"));

    ok("stop", "-t", "1", "server");
    Cli.Result stopped = dcont("start", "-a", "client");
    assertEquals(1, stopped.code(), stopped.toString());
    assertTrue(stopped.out().contains("cannot join network of a non running container: server"), stopped.toString());
    Cli.Result ports = dcont("run", "--rm", "-p", "8080:80", "--network", "container:lone", image, "true");
    assertEquals(125, ports.code(), ports.toString());
    assertTrue(ports.out().contains("conflicting options: port publishing"), ports.toString());
    Cli.Result missing = dcont("run", "--rm", "--network", "container:nosuch", image, "true");
    assertEquals(125, missing.code(), missing.toString());
    assertEquals(1, missing.out().lines().count(), missing.toString());
    ok("rm", "-f", "server", "lone", "client");
    ok("network", "rm", "joined");
    assertNothingLeft("10.152.0.");
  }
}
