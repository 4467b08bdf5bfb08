package dev.dcont.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dcont.cli.Main;
import dev.dcont.store.Store;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command a detached container's monitor runs later to remove it (run -d --rm). */
class SelfCommandTest {
  private static final String LAUNCHER = "dcont.launcher";

  @TempDir
  Path tmp;

  private final String before = System.getProperty(LAUNCHER);

  @AfterEach
  void restore() {
    if (before == null) {
      System.clearProperty(LAUNCHER);
    } else {
      System.setProperty(LAUNCHER, before);
    }
  }

  @Test
  void startedByTheLauncherItIsTheLauncherAgainWhichSetsTheJvmOptions() {
    System.setProperty(LAUNCHER, "/opt/dcont/dcont");
    try (Store store = Store.open(tmp.resolve("store"))) {
      assertEquals(List.of("/opt/dcont/dcont", "--root", store.layout().root().toString(), "rm", "-f", "c1"),
          new Containers(store).selfCommand("rm", "-f", "c1"));
    }
  }

  @Test
  void otherwiseItIsThisJvmWithTheSameClassPath() {
    System.clearProperty(LAUNCHER);
    try (Store store = Store.open(tmp.resolve("store"))) {
      List<String> cmd = new Containers(store).selfCommand("rm", "-f", "c1");
      assertEquals(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
          "--root", store.layout().root().toString(), "rm", "-f", "c1"), cmd.subList(1, cmd.size()));
      assertEquals(ProcessHandle.current().info().command().orElseThrow(), cmd.get(0));
    }
  }
}
