package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Networks as Docker shows and takes them, where no container is needed: what {@code run} refuses before it makes
 * anything, network labels and the filters of {@code network ls} and {@code network prune}.
 */
class NetworkDockerParityTest {
  @TempDir
  Path root;

  @Test
  void anAddressOrAnAliasOnAPredefinedNetworkIsRefusedAsDockerDoes() {
    for (String net : new String[] {"bridge", "default", "host", "none"}) {
      Cli.Result ip = Cli.run(root, "run", "--network", net, "--ip", "172.17.0.50", "--pull", "never", "busybox");
      assertEquals(125, ip.code(), ip.toString());
      assertEquals("dcont: user specified IP address is supported on user defined networks only (make one with"
          + " 'dcont network create' and run with --network NAME)\n", ip.err());
      Cli.Result ip6 = Cli.run(root, "run", "--network", net, "--ip6", "fd00::5", "--pull", "never", "busybox");
      assertEquals(125, ip6.code(), ip6.toString());
      assertEquals(ip.err(), ip6.err());
      Cli.Result alias = Cli.run(root, "run", "--network", net, "--network-alias", "web", "--pull", "never",
          "busybox");
      assertEquals(125, alias.code(), alias.toString());
      assertEquals("dcont: network-scoped alias is supported only for containers in user defined networks (make"
          + " one with 'dcont network create' and run with --network NAME)\n", alias.err());
    }
  }

  private List<String> names(String... filters) {
    String[] args = new String[filters.length * 2 + 4];
    args[0] = "network";
    args[1] = "ls";
    args[2] = "--format";
    args[3] = "json";
    for (int i = 0; i < filters.length; i++) {
      args[4 + 2 * i] = "--filter";
      args[5 + 2 * i] = filters[i];
    }
    Cli.Result r = Cli.run(root, args);
    assertEquals(0, r.code(), r.toString());
    return JsonDoc.parse(r.out()).value() instanceof List<?> l
        ? l.stream().map(n -> ((java.util.Map<?, ?>) n).get("Name").toString()).toList() : List.of();
  }

  @Test
  void networksHaveLabelsAndLsFiltersThemAsDocker() {
    assertEquals(0, Cli.run(root, "network", "create", "--subnet", "10.141.0.0/24", "--label", "env=test",
        "--label", "team", "front").code());
    assertEquals(0, Cli.run(root, "network", "create", "--subnet", "10.141.1.0/24", "--label", "env=prod",
        "back").code());
    JsonDoc front = JsonDoc.parse(Cli.run(root, "network", "inspect", "front").out()).get(0);
    assertEquals("test", front.get("Labels").get("env").asText());
    assertEquals("", front.get("Labels").get("team").asText());
    assertEquals(List.of("back", "bridge", "front"), names());
    assertEquals(List.of("front"), names("label=env=test"));
    assertEquals(List.of("back", "front"), names("label=env"));
    assertEquals(List.of("front"), names("label=env", "label=team"));
    assertEquals(List.of("back", "front"), names("name=front", "name=ba"));
    assertEquals(List.of("bridge"), names("type=builtin"));
    assertEquals(List.of("back", "front"), names("type=custom", "dangling=true"));
    String frontId = front.get("Id").asText();
    assertEquals(frontId + "\n", Cli.run(root, "network", "ls", "-q", "--no-trunc", "--filter", "name=front").out());
    assertEquals(frontId.substring(0, 12) + "\n", Cli.run(root, "network", "ls", "-q", "-f", "name=front").out());
    Cli.Result bad = Cli.run(root, "network", "ls", "--filter", "colour=red");
    assertEquals(1, bad.code(), bad.toString());
    assertEquals(1, bad.err().lines().count(), bad.err());
  }

  @Test
  void pruneTakesDockersUntilAndLabelFilters() throws Exception {
    assertEquals(0, Cli.run(root, "network", "create", "--subnet", "10.142.0.0/24", "--label", "keep", "kept")
        .code());
    assertEquals(0, Cli.run(root, "network", "create", "--subnet", "10.142.1.0/24", "old").code());
    Instant between = Instant.now();
    dev.dcont.testkit.Poll.until("the clock to pass " + between, java.time.Duration.ofSeconds(5),
        () -> Instant.now().isAfter(between));
    assertEquals(0, Cli.run(root, "network", "create", "--subnet", "10.142.2.0/24", "new").code());
    assertEquals(List.of(), Cli.run(root, "network", "prune", "--filter", "until=1h").out().lines().toList());
    assertEquals(List.of("Deleted Networks:", "old"),
        Cli.run(root, "network", "prune", "--filter", "until=" + between, "--filter", "label!=keep").out()
            .lines().toList());
    assertEquals(List.of("Deleted Networks:", "kept"),
        Cli.run(root, "network", "prune", "--filter", "label=keep").out().lines().toList());
    assertEquals(List.of("bridge", "new"), names());
  }

  @Test
  void inspectOfSeveralShowsThoseFoundAndNamesEachMissingOne() {
    assertEquals(0, Cli.run(root, "network", "create", "--subnet", "10.143.0.0/24", "front").code());
    assertEquals(0, Cli.run(root, "network", "create", "--subnet", "10.143.1.0/24", "back").code());
    Cli.Result some = Cli.run(root, "network", "inspect", "front", "nope", "back");
    assertEquals(1, some.code(), some.toString());
    assertEquals(List.of("front", "back"), JsonDoc.parse(some.out()).value() instanceof List<?> l
        ? l.stream().map(n -> ((java.util.Map<?, ?>) n).get("Name").toString()).toList() : List.of());
    assertEquals("dcont: network nope not found (see 'dcont network ls')\n", some.err());
  }
}
