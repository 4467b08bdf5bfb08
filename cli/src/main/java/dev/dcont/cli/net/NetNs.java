package dev.dcont.cli.net;

import dev.dcont.layers.sys.NativeSyscalls;
import dev.dcont.runtime.HostPrograms;
import dev.dcont.store.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A container's network namespace kept by a bind mount of its nsfs file, as podman keeps it (under the store's
 * own directory, not /run/netns, whose names another tool's may collide with): util-linux's {@code unshare
 * --net=FILE} makes it, so that no thread of this JVM ever changes namespace.
 */
public final class NetNs {
  private NetNs() { }

  static void create(Path file) {
    try {
      OwnerOnly.createDirectories(file.getParent());
      Files.deleteIfExists(file);
      Files.createFile(file);
      String unshare = HostPrograms.find("unshare", List.of()).orThrow("unshare", "install util-linux").toString();
      // unshare runs its program through PATH: it is given the trusted one's
      String trueProgram = HostPrograms.find("true", List.of()).orThrow("true", "install coreutils").toString();
      Process p = new ProcessBuilder(unshare, "--net=" + file, trueProgram)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
      int code = p.waitFor();
      if (code != 0) {
        throw new IOException("unshare --net=" + file + " failed (exit " + code + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted making a network namespace");
    }
  }

  static boolean exists(Path file) {
    return Files.exists(file);
  }

  /**
   * Unmounts a namespace's file (the namespace ends with its last process and file) and deletes it; either may be
   * gone already. Also for the namespace a {@code --network container:NAME} container keeps.
   */
  public static void remove(Path file) {
    if (!Files.exists(file)) {
      return;
    }
    try {
      NativeSyscalls.get().unmount(file, true);
    } catch (IOException notMounted) {
      // a file whose mount is gone (a reboot, a failed unshare): only the file is left
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
