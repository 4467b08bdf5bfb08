package dev.dcont.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dcont.runtime.spec.DefaultSpec;
import dev.dcont.runtime.spec.Spec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecFactoryDevicesTest {
  private static Spec build(Long memory, Double cpus, Long pids) {
    RunFlags flags = new RunFlags(false, false, false, false, null, null, List.of(), List.of(), false, memory, null,
        cpus, pids, null, List.of(), List.of(), false, false, SecurityOpts.NONE,
        CgroupParent.DEFAULT);
    return SpecFactory.build(new ProcessConfig(List.of("sh"), List.of(), "/", null),
        new UserSpec.Resolved(0, 0, List.of(), "/root"), flags, "h",
        new SpecFactory.EtcFiles(Path.of("/h"), Path.of("/hs"), Path.of("/r")), "/dcont/x", Path.of("/init"));
  }

  @Test
  void aContainerGetsDockersDeviceRulesWithOrWithoutLimits() {
    assertEquals(DefaultSpec.DOCKER_DEVICES, build(null, null, null).linux().resources().devices());
    Spec limited = build(64L << 20, 1.0, 10L);
    assertEquals(DefaultSpec.DOCKER_DEVICES, limited.linux().resources().devices());
    assertEquals(64L << 20, limited.linux().resources().memory().limit());
    assertEquals(10L, limited.linux().resources().pids().limit());
  }
}
