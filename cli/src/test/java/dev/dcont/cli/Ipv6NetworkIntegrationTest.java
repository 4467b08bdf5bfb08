package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.TestImage;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * IPv6 on networks, end to end through netavark and aardvark-dns, as NetworkIntegrationTest does it for IPv4: each
 * test has a network namespace of its own, in which dcont, the containers' bridges, veths and firewall rules and the
 * test's clients live; no packet reaches the host's network.
 */
class Ipv6NetworkIntegrationTest extends NetworkTestBase {
  @BeforeAll
  static void setUp() throws Exception {
    host = ContainerHost.start("net6", "networks need namespaces, netavark and ip6tables");
    image = host.pushAndPull(root, "t/web6", TestImage.builder()
        .layer(Busybox.rootfs().file("www/index.html", "hello over v6\n").build(), Layer.Compression.GZIP)
        .config("Cmd", List.of("sh")).config("Env", List.of("PATH=/bin")).build());
  }

  @BeforeEach
  void ipv6On() throws Exception {
    // a namespace may take IPv6 off from the host's settings (net.core.devconf_inherit_init_net); the test needs it
    for (String key : new String[] {"all", "default"}) {
      Cli.Result on = ns.exec("sysctl", "-q", "-w", "net.ipv6.conf." + key + ".disable_ipv6=0");
      assertEquals(0, on.code(), "IPv6 in the test's namespace: " + on);
    }
  }

  @Test
  void containersOnAnIpv6NetworkReachEachOtherByNameAndAliasOverIpv6() throws Exception {
    ok("network", "create", "--ipv6", "--subnet", "10.126.0.0/24", "v6net");
    JsonDoc net = inspect("v6net", "network");
    assertTrue(net.get("EnableIPv6").asBoolean(), net.toString());
    JsonDoc config = net.get("IPAM").get("Config");
    assertEquals(2, config.size(), net.toString());
    assertEquals("10.126.0.0/24", config.get(0).get("Subnet").asText());
    String subnet6 = config.get(1).get("Subnet").asText();
    assertTrue(subnet6.matches("fd[0-9a-f]{2}(:[0-9a-f]{1,4}){3}::/64"), "a unique local /64: " + subnet6);
    String prefix = subnet6.substring(0, subnet6.length() - "::/64".length()) + ":";
    String gateway6 = config.get(1).get("Gateway").asText();
    assertEquals(prefix + ":1", gateway6);
    assertTrue(ok("network", "ls").out().lines().anyMatch(l -> l.contains(" v6net ")
        && l.endsWith(" 10.126.0.0/24," + subnet6)), "both subnets listed: " + ok("network", "ls"));

    ok("run", "-d", "--network", "v6net", "--name", "web", "--network-alias", "www", image,
        "busybox", "httpd", "-f", "-p", "80", "-h", "/www");
    ok("run", "-d", "--network", "v6net", "--name", "peer", "--ip6", prefix + ":99", image, "sleep", "300");
    JsonDoc web = inspect("web").get("NetworkSettings");
    String webIp6 = web.get("GlobalIPv6Address").asText();
    assertEquals(prefix + ":2", webIp6, web.toString());
    assertEquals(64, web.get("GlobalIPv6PrefixLen").asInt());
    assertEquals(gateway6, web.get("IPv6Gateway").asText());
    assertEquals(webIp6, web.get("Networks").get("v6net").get("GlobalIPv6Address").asText());
    assertEquals(gateway6, web.get("Networks").get("v6net").get("IPv6Gateway").asText());
    assertEquals(prefix + ":99", inspect("peer").get("NetworkSettings").get("GlobalIPv6Address").asText());
    String webId = inspect("web").get("Id").asText();
    assertEquals(webIp6 + "/64",
        inspect("v6net", "network").get("Containers").get(webId).get("IPv6Address").asText());

    // names and aliases answer with the IPv6 address (AAAA from aardvark-dns), which answers over IPv6
    Cli.Result byName = ok("exec", "peer", "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do"
        + " busybox wget -q -O - http://[" + webIp6 + "]/ && break; sleep 0.3; done;"
        + " busybox ping -6 -c 1 -W 2 web | head -1; busybox ping -6 -c 1 -W 2 www | head -1;"
        + " busybox wget -q -O - http://www/");
    List<String> lines = byName.out().lines().toList();
    assertEquals("hello over v6", lines.get(0), byName.toString());
    assertTrue(lines.get(1).startsWith("PING web (" + webIp6 + ")"), byName.toString());
    assertTrue(lines.get(2).startsWith("PING www (" + webIp6 + ")"), byName.toString());
    String back = pingLine("web", "peer", "-6");
    assertTrue(back.startsWith("PING peer (" + prefix + ":99)"), back);

    Cli.Result etc = ok("exec", "web", "sh", "-c", "cat /etc/hosts; echo ---; busybox ip -6 route");
    String hostname = ok("exec", "web", "cat", "/etc/hostname").out().strip();
    assertTrue(etc.out().contains(webIp6 + "\t" + hostname + "\n"), "its IPv6 address in /etc/hosts: " + etc);
    assertTrue(etc.out().contains("default via " + gateway6), "a default IPv6 route: " + etc);

    // a container of an IPv4 network connected with --ip6: reached by its alias over IPv6, in its /etc/hosts
    ok("network", "create", "--subnet", "10.127.0.0/24", "plain");
    ok("run", "-d", "--network", "plain", "--name", "outsider", image, "sleep", "300");
    ok("network", "connect", "--alias", "out", "--ip6", prefix + ":77", "v6net", "outsider");
    JsonDoc joined = inspect("outsider").get("NetworkSettings").get("Networks").get("v6net");
    assertEquals(prefix + ":77", joined.get("GlobalIPv6Address").asText(), joined.toString());
    String toOut = pingLine("peer", "out", "-6");
    assertTrue(toOut.startsWith("PING out (" + prefix + ":77)"), toOut);
    assertTrue(ok("exec", "outsider", "cat", "/etc/hosts").out().contains(prefix + ":77\t"), "hosts has it");
    ok("network", "disconnect", "v6net", "outsider");
    assertFalse(ok("exec", "outsider", "cat", "/etc/hosts").out().contains(prefix + ":77"), "and no more");
    ok("network", "connect", "--ip6", prefix + ":77", "v6net", "outsider");
    ok("rm", "-f", "outsider");
    ok("network", "rm", "plain");

    // released at rm: the lowest address is handed out again
    ok("rm", "-f", "web");
    ok("run", "-d", "--network", "v6net", "--name", "again", image, "sleep", "300");
    assertEquals(webIp6, inspect("again").get("NetworkSettings").get("GlobalIPv6Address").asText());
    Cli.Result taken = dcont("run", "--rm", "--network", "v6net", "--ip6", prefix + ":99", image, "true");
    assertEquals(125, taken.code(), taken.toString());
    assertEquals("dcont: address " + prefix + ":99 is already in use on network v6net\n", taken.out());

    ok("rm", "-f", "again", "peer");
    ok("network", "rm", "v6net");
    assertNothingLeft(prefix, "10.126.0.");
  }

  @Test
  void aPortPublishedOnAnIpv6HostAddressAnswersThereAndIsRefusedOnANetworkWithoutIpv6() throws Exception {
    Cli.Result refused = dcont("run", "--rm", "-p", "[fd99::1]:8080:80", image, "true");
    assertEquals(125, refused.code(), refused.toString());
    assertEquals("dcont: -p on IPv6 address fd99::1 needs a network with IPv6; network bridge has none (create"
        + " one with 'dcont network create --ipv6')\n", refused.out());

    ok("network", "create", "--subnet", "fd42:1:2:3::/64", "--gateway", "fd42:1:2:3::fe", "pub6");
    JsonDoc net = inspect("pub6", "network");
    assertTrue(net.get("EnableIPv6").asBoolean(), "an IPv6 --subnet implies --ipv6: " + net);
    assertEquals("fd42:1:2:3::fe", net.get("IPAM").get("Config").get(1).get("Gateway").asText());
    Cli.Result loopback = dcont("run", "--rm", "--network", "pub6", "-p", "[::1]:8080:80", image, "true");
    assertEquals(125, loopback.code(), loopback.toString());
    assertEquals(1, loopback.out().lines().count(), loopback.toString());
    assertTrue(loopback.out().startsWith("dcont: -p on ::1: "), loopback.toString());

    // an IPv6 address of the test's namespace, as the host's own would be
    assertEquals(0, ns.exec("ip", "-6", "addr", "add", "fd99::1/128", "dev", "lo", "nodad").code());
    ok("run", "-d", "--network", "pub6", "--name", "web", "-p", "[fd99::1]:8080:80", "-p", "8081:80", image,
        "busybox", "httpd", "-f", "-p", "80", "-h", "/www");
    assertTrue(dcont("ps").out().contains("[fd99::1]:8080->80/tcp"), "ps shows the IPv6 address in brackets");
    // in the order the Docker CLI sorts them
    assertEquals("0.0.0.0:8081\n[fd99::1]:8080\n", ok("port", "web", "80").out());
    assertEquals("hello over v6\n", fetchEventually("http://[fd99::1]:8080/"));
    assertEquals("hello over v6\n", fetchEventually("http://[fd42:1:2:3::fe]:8081/"),
        "a port on every address answers on the bridge's IPv6 address too");

    ok("rm", "-f", "web");
    ok("network", "rm", "pub6");
    assertNothingLeft("fd42:1:2:3:", "fd99::1", "8080", "8081");
  }
}
