package dev.dcont.cli.run;

import dev.dcont.runtime.NativeStage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The init that {@code --init} runs as the container's pid 1: the runtime's static native stage,
 * which behaves as a tini-like init when started under the name {@code docker-init}. Each
 * container gets its own read-only copy, so nothing inside can reach the shared binary.
 */
final class InitBinary {
  private InitBinary() { }

  static Path copyInto(Path containerDir) throws IOException {
    Path target = containerDir.resolve("docker-init");
    Files.copy(NativeStage.path(), target, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r-xr-xr-x"));
    return target;
  }
}
