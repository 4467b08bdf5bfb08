package dev.dcont.clients;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.HostCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A busybox image as an OCI image layout on disk, made with umoci (an independent implementation of the image
 * spec, so the clients read an image that dcont's own code did not write): one layer from testkit's busybox root,
 * {@code sh} as its command. The clients import it from there; no registry is involved.
 */
final class BusyboxLayout {
  static final String TAG = "busybox";

  private BusyboxLayout() { }

  /** Creates the layout in {@code dir} (which must not exist) with the image tagged {@link #TAG}. */
  static Path create(Path dir) throws IOException, InterruptedException {
    String umoci = Host.require("umoci", "umoci").toString();
    Path work = Files.createDirectories(dir.resolveSibling(dir.getFileName() + ".work"));
    Path layer = Files.write(work.resolve("layer.tar"), Busybox.rootfs().build());
    String image = dir + ":" + TAG;
    Duration t = Duration.ofSeconds(60);
    HostCommand.run(work, t, List.of(umoci, "init", "--layout", dir.toString())).ok();
    HostCommand.run(work, t, List.of(umoci, "new", "--image", image)).ok();
    HostCommand.run(work, t, List.of(umoci, "raw", "add-layer", "--image", image, layer.toString())).ok();
    HostCommand.run(work, t, List.of(umoci, "config", "--image", image, "--config.cmd", "sh",
        "--config.env", "PATH=/bin", "--config.workingdir", "/")).ok();
    Files.delete(layer);
    Files.delete(work);
    return dir;
  }
}
