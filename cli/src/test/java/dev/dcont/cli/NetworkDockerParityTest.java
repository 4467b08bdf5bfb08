package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code run} refuses about networks before it makes anything, in Docker's words and with its exit code. */
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
      Cli.Result alias = Cli.run(root, "run", "--network", net, "--network-alias", "web", "--pull", "never",
          "busybox");
      assertEquals(125, alias.code(), alias.toString());
      assertEquals("dcont: network-scoped alias is supported only for containers in user defined networks (make"
          + " one with 'dcont network create' and run with --network NAME)\n", alias.err());
    }
  }
}
