package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.Poll;
import dev.dcont.testkit.Probe;
import dev.dcont.testkit.TestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Networks end to end through netavark and aardvark-dns. Every test makes a network namespace of its own and runs
 * dcont (so netavark's bridge, veths and firewall rules), the containers and its clients in it: no packet and no
 * rule reaches the host's network. The image is pulled before, from the loopback registry of the host namespace.
 */
class NetworkIntegrationTest extends NetworkTestBase {
  @BeforeAll
  static void setUp() throws Exception {
    host = ContainerHost.start("net", "networks need namespaces, netavark and iptables");
    image = host.pushAndPull(root, "t/web", TestImage.builder()
        .layer(Busybox.rootfs().file("www/index.html", "hello from the container\n")
            .file("bin/probe", Files.readAllBytes(Probe.path()), 0755).build(), Layer.Compression.GZIP)
        .config("Cmd", List.of("sh")).config("Env", List.of("PATH=/bin"))
        .config("ExposedPorts", Map.of("80/tcp", Map.of())).build());
  }

  private static String last(Cli.Result r) {
    List<String> l = r.out().lines().toList();
    return l.isEmpty() ? "" : l.get(l.size() - 1);
  }

  @Test
  void publishedPortAnswersOnLoopbackAndTheBridgeAddressAndIsGoneAfterRm() throws Exception {
    Cli.Result started = dcont("run", "-d", "--name", "web", "-p", "8080:80", image,
        "busybox", "httpd", "-f", "-p", "80", "-h", "/www");
    assertEquals(0, started.code(), started.toString());
    assertEquals("hello from the container\n", fetchEventually("http://127.0.0.1:8080/"));
    JsonDoc settings = inspect("web").get("NetworkSettings");
    String ip = settings.get("IPAddress").asText();
    String gateway = settings.get("Gateway").asText();
    assertTrue(ip.startsWith("172.17."), "an address on the default bridge: " + ip);
    assertEquals("8080", settings.get("Ports").get("80/tcp").get(0).get("HostPort").asText());
    assertEquals("hello from the container\n", fetchEventually("http://" + gateway + ":8080/"),
        "the host's other addresses answer too");
    assertTrue(dcont("ps").out().contains("0.0.0.0:8080->80/tcp"), "ps shows the port");

    Cli.Result hosts = dcont("run", "--rm", "--hostname", "box", image, "sh", "-c",
        "cat /etc/hosts; ip route 2>/dev/null || busybox ip route");
    assertEquals(0, hosts.code(), hosts.toString());
    assertTrue(hosts.out().matches("(?s).*172\\.17\\.\\d+\\.\\d+\\tbox\\n.*"), "its own address in /etc/hosts: " + hosts);
    assertTrue(hosts.out().contains("default via " + gateway), "a default route through the bridge: " + hosts);

    Cli.Result taken = dcont("run", "--rm", "-p", "8080:80", image, "true");
    assertEquals(125, taken.code(), taken.toString());
    assertEquals(1, taken.out().lines().count(), taken.toString());
    assertTrue(taken.out().startsWith("dcont: host port 0.0.0.0:8080/tcp is already"), taken.toString());

    assertEquals(0, dcont("rm", "-f", "web").code());
    assertNothingLeft(ip, "8080");
  }

  @Test
  void aContainerWithoutPublishedPortsGetsNoPortForwardingChain() throws Exception {
    // podman passes no port_mappings then: netavark makes a DNAT chain for any list, an empty one too
    Cli.Result plain = dcont("run", "-d", "--name", "plain", image, "sleep", "300");
    assertEquals(0, plain.code(), plain.toString());
    String rules = ns.exec("iptables-save").out();
    assertTrue(rules.contains("NETAVARK-"), "the bridge's rules are there: " + rules);
    assertFalse(rules.contains("NETAVARK-DN-"), "no port-forwarding chain: " + rules);
    // nor on a network connected later (its ports are the first network's)
    assertEquals(0, dcont("network", "create", "--subnet", "10.131.0.0/24", "later").code());
    Cli.Result connected = dcont("network", "connect", "later", "plain");
    assertEquals(0, connected.code(), connected.toString());
    rules = ns.exec("iptables-save").out();
    assertTrue(rules.contains("10.131.0."), "the connected network's rules are there: " + rules);
    assertFalse(rules.contains("NETAVARK-DN-"), "no port-forwarding chain on the network connected: " + rules);
    Cli.Result published = dcont("run", "-d", "--name", "published", "-p", "8082:80", image, "sleep", "300");
    assertEquals(0, published.code(), published.toString());
    assertTrue(ns.exec("iptables-save").out().contains("NETAVARK-DN-"), "a chain for the published port");
    assertEquals(0, dcont("rm", "-f", "plain", "published").code());
    assertEquals(0, dcont("network", "rm", "later").code());
    assertNothingLeft("8082", "10.131.0.");
  }

  @Test
  void aRunWhoseImageMustBePulledLeavesNoNetworkWhenThePullFails() throws Exception {
    // the network is begun before the store is read and given up again for the pull; here the pull fails
    // (the registry is on the host's loopback, not the test's namespace's)
    Cli.Result r = dcont("run", "--rm", "--platform", "linux/s390x", image, "true");
    assertEquals(125, r.code(), r.toString());
    assertEquals(0, dcont("ps", "-a", "-q").out().lines().count(), "no container left");
    assertNothingLeft();
  }

  @Test
  void programsInADirectoryOfTheCallersPathThatOthersMayWriteAreNeverRun() throws Exception {
    Path open = Files.createDirectories(work.resolve("open"));
    Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    Path ran = work.resolve("ran");
    for (String name : List.of("unshare", "true", "netavark", "aardvark-dns", "iptables", "nft", "modprobe")) {
      Path fake = open.resolve(name);
      Files.writeString(fake, "#!/bin/sh\necho " + name + " >> " + ran + "\nexit 1\n");
      Files.setPosixFilePermissions(fake, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    ProcessBuilder pb = new ProcessBuilder(ns.wrap(Cli.javaCommand(root, "run", "--rm", "--cgroup-parent",
        host.cgroups.name(), "-p", "8282:80", image, "true"))).redirectErrorStream(true);
    pb.environment().put("PATH", open + ":" + System.getenv("PATH"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "dcont run did not finish");
    assertEquals(0, p.exitValue(), out);
    assertFalse(Files.exists(ran), "root ran a program from the open directory: "
        + (Files.exists(ran) ? Files.readString(ran) : ""));
  }

  @Test
  void aPortTakenOnTheHostIsOneLineAndExit125() throws Exception {
    Process listener = new ProcessBuilder(ns.wrap(List.of(Busybox.BINARY.toString(), "nc", "-l", "-p", "8181")))
        .redirectErrorStream(true).start();
    try {
      Poll.until("nc to listen", Duration.ofSeconds(10),
          () -> ns.exec("ss", "-ltnH").out().contains(":8181 "));
      Cli.Result r = dcont("run", "--rm", "-p", "8181:80", image, "true");
      assertEquals(125, r.code(), r.toString());
      assertEquals("dcont: host port 0.0.0.0:8181/tcp is already in use on the host (choose another -p)\n", r.out());
      assertNothingLeft("8181");
    } finally {
      listener.destroyForcibly();
    }
  }

  @Test
  void randomHostPortsPublishAllAndUdp() throws Exception {
    Cli.Result started = dcont("run", "-d", "--name", "svc", "-P", "-p", "5000/udp", image, "sh", "-c",
        "probe udp_echo 5000 & busybox httpd -f -p 80 -h /www");
    assertEquals(0, started.code(), started.toString());
    Cli.Result port = dcont("port", "svc");
    assertEquals(0, port.code(), port.toString());
    String tcp = null;
    String udp = null;
    for (String line : port.out().lines().toList()) {
      if (line.startsWith("80/tcp -> 0.0.0.0:")) {
        tcp = line.substring(line.lastIndexOf(':') + 1);
      } else if (line.startsWith("5000/udp -> 0.0.0.0:")) {
        udp = line.substring(line.lastIndexOf(':') + 1);
      }
    }
    assertTrue(tcp != null && udp != null, "both ports published on free host ports: " + port);
    assertEquals("0.0.0.0:" + tcp + "\n", dcont("port", "svc", "80").out());
    assertEquals("hello from the container\n", fetchEventually("http://127.0.0.1:" + tcp + "/"));
    String u = udp;
    Poll.until("the container listening on UDP", Duration.ofSeconds(20),
        () -> dcont("logs", "svc").out().contains("udp_echo: listening"));
    // bash's /dev/udp sends one datagram and reads the echo back through the same mapping
    Cli.Result echoed = ns.exec("timeout", "5", "bash", "-c",
        "exec 3<>/dev/udp/127.0.0.1/" + u + "; echo over-udp >&3; head -c 9 <&3");
    assertEquals("over-udp\n", echoed.out(), echoed.toString());
    assertTrue(dcont("logs", "svc").out().contains("udp_echo: got over-udp"));
    assertEquals(0, dcont("rm", "-f", "svc").code());
    assertNothingLeft(":" + tcp, "dport " + tcp, "dport " + udp);
  }

  @Test
  void portRangesArePublishedWithTheirHostRangeOrOnFreeHostPorts() throws Exception {
    Cli.Result mismatched = dcont("run", "--rm", "-p", "8380-8382:80-81", image, "true");
    assertEquals(125, mismatched.code(), mismatched.toString());
    assertEquals("dcont: invalid ranges specified for container and host Ports: 80-81 and 8380-8382\n",
        mismatched.out());

    // the last: a free host port of 8380-8399 for 81, where 8380 and 8381 are the first -p's
    Cli.Result started = dcont("run", "-d", "--name", "ranges", "-p", "127.0.0.1:8380-8381:80-81", "-p", "80-81",
        "-p", "8380-8399:81", image, "sh", "-c", "busybox httpd -p 81 -h /www; busybox httpd -f -p 80 -h /www");
    assertEquals(0, started.code(), started.toString());
    assertEquals("hello from the container\n", fetchEventually("http://127.0.0.1:8380/"));
    assertEquals("hello from the container\n", fetchEventually("http://127.0.0.1:8381/"));
    assertTrue(dcont("ps").out().contains("127.0.0.1:8380-8381->80-81/tcp"), "ps shows the range");
    String rules = ns.exec("iptables-save").out();
    assertTrue(rules.contains("--dport 8380:8381"), "one netavark rule for the whole range:\n" + rules);
    List<String> free = new ArrayList<>();
    for (String line : dcont("port", "ranges").out().lines().toList()) {
      if (line.matches("8[01]/tcp -> 0\\.0\\.0\\.0:\\d+") && !line.endsWith(":8382")) {
        free.add(line.substring(line.lastIndexOf(':') + 1));
      }
    }
    assertEquals(2, free.size(), "80 and 81 each on a free host port: " + free);
    assertFalse(free.get(0).equals(free.get(1)), free.toString());
    for (String p : free) {
      assertEquals("hello from the container\n", fetchEventually("http://127.0.0.1:" + p + "/"));
    }
    String port81 = dcont("port", "ranges", "81").out();
    assertTrue(port81.contains("127.0.0.1:8381\n") && port81.contains("0.0.0.0:8382\n"), port81);
    assertEquals("hello from the container\n", fetchEventually("http://127.0.0.1:8382/"));
    assertEquals(0, dcont("rm", "-f", "ranges").code());
    assertNothingLeft("8380", "8381", "8382");
  }

  @Test
  void dnsFlagsAndAddHostAreInTheContainersEtcFiles() throws Exception {
    Cli.Result r = dcont("run", "--rm", "--dns", "192.0.2.53", "--dns", "2001:db8::53", "--dns-search", "a.test",
        "--dns-search", "b.test", "--dns-option", "ndots:3", "--add-host", "db.test:10.1.2.3",
        "--add-host", "gw:host-gateway", image, "sh", "-c",
        "cat /etc/resolv.conf; echo ---; cat /etc/hosts; echo ---; busybox ip route");
    assertEquals(0, r.code(), r.toString());
    String[] parts = r.out().split("---\n");
    List<String> resolv = parts[0].lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
    assertEquals(List.of("nameserver 192.0.2.53", "nameserver 2001:db8::53", "search a.test b.test",
        "options ndots:3"), resolv, r.toString());
    String gateway = parts[2].lines().filter(l -> l.startsWith("default via ")).findFirst().orElseThrow()
        .split(" ")[2];
    assertTrue(parts[1].contains("10.1.2.3\tdb.test\n"), r.toString());
    assertTrue(parts[1].contains(gateway + "\tgw\n"), "host-gateway is the bridge's address: " + r);

    Cli.Result none = dcont("run", "--rm", "--network", "none", "--add-host", "gw:host-gateway", image, "true");
    assertEquals(125, none.code(), none.toString());
    assertEquals(1, none.out().lines().count(), none.toString());
    Cli.Result bad = dcont("run", "--rm", "--dns", "not-an-ip", image, "true");
    assertEquals(125, bad.code(), bad.toString());
    assertEquals("dcont: invalid argument \"not-an-ip\" for \"--dns\" flag: not-an-ip is not an ip address\n",
        bad.out());
  }

  @Test
  void onANetworkWithNamesDnsGoesToAardvarkAndPruneRemovesOnlyUnusedNetworks() throws Exception {
    assertEquals(0, dcont("network", "create", "--subnet", "10.124.0.0/24", "used").code());
    assertEquals(0, dcont("network", "create", "--subnet", "10.125.0.0/24", "spare1").code());
    assertEquals(0, dcont("network", "create", "spare2").code());
    Cli.Result started = dcont("run", "-d", "--name", "named", "--network", "used", "--dns", "192.0.2.53",
        "--add-host", "gw:host-gateway", image, "sh", "-c", "cat /etc/resolv.conf /etc/hosts; sleep 300");
    assertEquals(0, started.code(), started.toString());
    Poll.until("the container's etc files in its log", Duration.ofSeconds(20),
        () -> dcont("logs", "named").out().contains("\tgw"));
    String log = dcont("logs", "named").out();
    assertTrue(log.contains("nameserver 10.124.0.1\n"), "aardvark-dns on the gateway serves the names: " + log);
    assertFalse(log.contains("192.0.2.53"), "the --dns server is aardvark-dns's upstream, not the container's: "
        + log);
    assertTrue(log.contains("10.124.0.1\tgw\n"), log);
    Path aardvark = root.resolve("network").resolve("run").resolve("aardvark-dns").resolve("used");
    assertTrue(Files.readString(aardvark).contains("192.0.2.53"),
        "aardvark-dns forwards the container's queries to --dns: " + Files.readString(aardvark));

    Cli.Result pruned = dcont("network", "prune", "-f");
    assertEquals(0, pruned.code(), pruned.toString());
    assertEquals(List.of("Deleted Networks:", "spare1", "spare2"), pruned.out().lines().toList());
    String left = dcont("network", "ls").out();
    assertTrue(left.contains("used") && left.contains("bridge") && !left.contains("spare"), left);
    assertEquals("", dcont("network", "prune", "-f").out(), "nothing more to prune");

    // a stopped container still uses its network, as in Docker
    assertEquals(0, dcont("stop", "-t", "1", "named").code());
    assertEquals("", dcont("network", "prune").out());
    assertEquals(0, dcont("rm", "named").code());
    assertEquals(List.of("Deleted Networks:", "used"), dcont("network", "prune").out().lines().toList());
    assertNothingLeft("10.124.0.");
  }

  @Test
  void containersOnAUserNetworkFindEachOtherByNameAndAliasAndGetDistinctAddresses() throws Exception {
    Cli.Result created = dcont("network", "create", "--subnet", "10.123.0.0/24", "appnet");
    assertEquals(0, created.code(), created.toString());
    List<Started> starting = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      starting.add(start("run", "-d", "--network", "appnet", "--name", "c" + i, image, "sleep", "300"));
    }
    for (Started s : starting) {
      Cli.Result r = s.finish();
      assertEquals(0, r.code(), r.toString());
    }
    Set<String> addresses = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      String ip = inspect("c" + i).get("NetworkSettings").get("Networks").get("appnet").get("IPAddress").asText();
      assertTrue(ip.startsWith("10.123.0."), ip);
      addresses.add(ip);
    }
    assertEquals(10, addresses.size(), "ten containers, ten addresses: " + addresses);

    Cli.Result web = dcont("run", "-d", "--network", "appnet", "--name", "web", "--network-alias", "www",
        "--ip", "10.123.0.200", image, "busybox", "httpd", "-f", "-p", "80", "-h", "/www");
    assertEquals(0, web.code(), web.toString());
    Cli.Result client = dcont("run", "--rm", "--network", "appnet", image, "sh", "-c",
        "for i in 1 2 3 4 5 6 7 8 9 10; do busybox wget -q -O - http://www/ && break; sleep 0.3; done;"
            + " busybox wget -q -O - http://web/; busybox ping -c 1 -W 2 c3 | head -1");
    assertEquals(0, client.code(), client.toString());
    assertTrue(client.out().startsWith("hello from the container\nhello from the container\n"), client.toString());
    assertTrue(client.out().contains("PING c3 (10.123.0."), client.toString());
    JsonDoc net = JsonDoc.parse(dcont("network", "inspect", "appnet").out()).get(0);
    assertEquals("10.123.0.0/24", net.get("IPAM").get("Config").get(0).get("Subnet").asText());

    Cli.Result busy = dcont("network", "rm", "appnet");
    assertEquals(1, busy.code(), busy.toString());
    for (int i = 0; i < 10; i++) {
      dcont("rm", "-f", "c" + i);
    }
    assertEquals(0, dcont("rm", "-f", "web").code());
    assertEquals(0, dcont("network", "rm", "appnet").code());
    assertFalse(dcont("network", "ls").out().contains("appnet"));
    assertNothingLeft("10.123.0.");
    assertFalse(ns.exec("ip", "-o", "link").out().contains("dcont1"), "the network's bridge is gone");
  }

  /**
   * A bridge whose address was never set takes the lowest of its ports': without a fixed one, the gateway's address
   * changes under the other containers' neighbour caches when a container joins or leaves, and their packets to it
   * (names, outbound traffic) are lost until the cache is probed again.
   */
  @Test
  void aBridgeKeepsItsAddressWhileContainersJoinAndLeave() throws Exception {
    ok("network", "create", "--subnet", "10.146.0.0/24", "steady");
    String bridge = inspect("steady", "network").get("NetworkInterface").asText();
    ok("run", "-d", "--network", "steady", "--name", "first", image, "sleep", "300");
    String mac = bridgeMac(bridge);
    for (String name : List.of("second", "third")) {
      ok("run", "-d", "--network", "steady", "--name", name, image, "sleep", "300");
      assertEquals(mac, bridgeMac(bridge), name + " joined");
    }
    ok("rm", "-f", "first");
    assertEquals(mac, bridgeMac(bridge), "the container whose address the bridge took has left");
    assertTrue(pingLine("second", "third").startsWith("PING third (10.146.0."), "names still answer");
    ok("rm", "-f", "second", "third");
    ok("network", "rm", "steady");
    assertNothingLeft("10.146.0.");
  }

  private String bridgeMac(String bridge) throws Exception {
    String link = ns.exec("ip", "-o", "link", "show", "dev", bridge).out();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("link/ether (\\S+)").matcher(link);
    assertTrue(m.find(), link);
    return m.group(1);
  }

  @Test
  void networkConnectAndDisconnectARunningContainer() throws Exception {
    assertEquals(0, dcont("network", "create", "--subnet", "10.124.0.0/24", "neta").code());
    assertEquals(0, dcont("network", "create", "--subnet", "10.125.0.0/24", "netb").code());
    assertEquals(0, dcont("run", "-d", "--network", "neta", "--name", "target", image, "sleep", "300").code());
    assertEquals(0, dcont("run", "-d", "--network", "netb", "--name", "mover", image, "sleep", "300").code());
    String ping = "busybox ping -c 1 -W 2 target";
    assertFalse(dcont("exec", "mover", "sh", "-c", ping).code() == 0, "not on target's network yet");

    Cli.Result connect = dcont("network", "connect", "--alias", "mv", "neta", "mover");
    assertEquals(0, connect.code(), connect.toString());
    String ip = inspect("mover").get("NetworkSettings").get("Networks").get("neta").get("IPAddress").asText();
    assertTrue(ip.startsWith("10.124.0."), ip);
    String reach = pingLine("mover", "target");
    assertTrue(reach.startsWith("PING target (10.124.0."), reach);
    String back = pingLine("target", "mv");
    assertTrue(back.startsWith("PING mv (" + ip + ")"), back);
    assertTrue(dcont("exec", "mover", "cat", "/etc/hosts").out().contains(ip + "\t"), "hosts has the new address");

    Cli.Result again = dcont("network", "connect", "neta", "mover");
    assertEquals(1, again.code(), again.toString());
    assertTrue(again.err().contains("already exists in network neta"), again.toString());
    assertEquals(1, dcont("network", "connect", "nosuch", "mover").code());
    assertEquals(1, dcont("network", "connect", "neta", "nosuch").code());

    Cli.Result disconnect = dcont("network", "disconnect", "neta", "mover");
    assertEquals(0, disconnect.code(), disconnect.toString());
    assertFalse(inspect("mover").get("NetworkSettings").get("Networks").has("neta"));
    assertFalse(dcont("exec", "mover", "sh", "-c", ping).code() == 0, "off target's network again");
    assertFalse(dcont("exec", "mover", "cat", "/etc/hosts").out().contains(ip + "\t"), "and hosts no more");
    Cli.Result notOn = dcont("network", "disconnect", "neta", "mover");
    assertEquals(1, notOn.code(), notOn.toString());
    assertTrue(notOn.err().contains("is not connected to network neta"), notOn.toString());

    assertEquals(0, dcont("network", "connect", "neta", "mover").code());
    assertEquals(0, dcont("rm", "-f", "mover").code());
    assertEquals(0, dcont("rm", "-f", "target").code());
    assertEquals(0, dcont("network", "rm", "neta", "netb").code());
    assertNothingLeft("10.124.0.", "10.125.0.");
  }

  @Test
  void whatAKilledDcontOrMonitorHeldIsReleasedByTheNextCommand() throws Exception {
    // a foreground run: dcont and the container's monitor are killed while it runs
    Started fg = start("run", "--rm", "--name", "fg", "-p", "8282:80", image,
        "busybox", "httpd", "-f", "-p", "80", "-h", "/www");
    assertEquals("hello from the container\n", fetchEventually("http://127.0.0.1:8282/"));
    String fgId = inspect("fg").get("Id").asText();
    String fgIp = inspect("fg").get("NetworkSettings").get("IPAddress").asText();
    int fgMonitor = monitor(fgId);
    fg.process().destroyForcibly().waitFor();
    kill9(fgMonitor);

    // a detached one: its monitor is killed
    String bg = last(dcont("run", "-d", "--name", "bg", "-p", "8283:80", image,
        "busybox", "httpd", "-f", "-p", "80", "-h", "/www"));
    String bgIp = inspect("bg").get("NetworkSettings").get("IPAddress").asText();
    kill9(monitor(bg));

    // the next command (here ps) finds both ended and releases their addresses, ports, veths and namespaces
    Cli.Result ps = dcont("ps", "-a");
    assertEquals(0, ps.code(), ps.toString());
    assertNothingLeft(fgIp, bgIp, "8282", "8283");
    assertFalse(fetch("http://127.0.0.1:8283/").code() == 0, "nothing answers on the port any more");
    for (String c : new String[] {"fg", "bg"}) {
      dcont("rm", "-f", c);
    }
  }

  private int monitor(String id) throws Exception {
    Path pid = root.resolve("runtime").resolve(id).resolve("monitor.pid");
    Poll.until("the monitor's pid file", Duration.ofSeconds(10), () -> Files.exists(pid));
    return Integer.parseInt(Files.readString(pid).strip());
  }

  private static void kill9(int pid) throws Exception {
    new ProcessBuilder("kill", "-9", Integer.toString(pid)).start().waitFor();
    Poll.until("process " + pid + " to be gone", Duration.ofSeconds(20),
        () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
  }
}
