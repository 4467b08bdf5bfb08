package dev.dcont.cli.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void aContainerAttachedByAnotherLivingProcessSinceItWasJudgedStoppedIsChangedAsARunningOne(@TempDir Path root)
      throws Exception {
    ContainerNetworks cn = new ContainerNetworks(root);
    NetPaths paths = new NetPaths(root);
    NetworkConnect nc = new NetworkConnect(cn, root, root);
    assertFalse(nc.starting("c1"), "no lease: stopped");
    Process other = new ProcessBuilder("sleep", "60").start();
    try {
      ProcessHandle h = other.toHandle();
      LeaseFiles.write(paths, new Lease("c1", root.resolve("ns"), "", h.pid(), LeaseFiles.startOf(h), Map.of(),
          null));
      assertTrue(nc.starting("c1"), "a start under way in another process");
      ProcessHandle self = ProcessHandle.current();
      LeaseFiles.write(paths, new Lease("c1", root.resolve("ns"), "", self.pid(), LeaseFiles.startOf(self),
          Map.of(), null));
      assertFalse(nc.starting("c1"), "this process's own attach is not another's start");
    } finally {
      other.destroyForcibly().waitFor();
    }
    ProcessHandle gone = other.toHandle();
    LeaseFiles.write(paths, new Lease("c1", root.resolve("ns"), "", gone.pid(), 1L, Map.of(), null));
    assertFalse(nc.starting("c1"), "an attacher that ended: the caller's judgement stands");
  }
}
