package dev.dcont.cli.run;

import dev.dcont.runtime.RootFiles;
import dev.dcont.runtime.launch.SecureJoin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Creates the image's working directory when it is missing, as Docker does (owned by the container's user),
 * inside the container root: each missing directory is made on its parent's descriptor, so that a symlink
 * swapped in meanwhile (a volume another container shares) cannot take the creation out of the root.
 */
public final class WorkDirs {
  private WorkDirs() { }

  /** {@code root} is a container root that no process uses yet. */
  public static void ensure(Path root, String cwd, UserSpec.Resolved user) throws IOException {
    if (exists(root, cwd)) {
      return;
    }
    try (RootFiles files = RootFiles.open(root)) {
      files.makeDirectories(cwd, user.uid(), user.gid());
    } catch (IOException e) {
      throw new IOException("working directory " + e.getMessage(), e);
    }
  }

  /**
   * The usual case, an existing directory, found by path: sound in a root that no process uses, and it spares
   * binding the native calls. Anything unusual (a link loop) is left to the descriptor walk to report.
   */
  private static boolean exists(Path root, String cwd) {
    try {
      return Files.isDirectory(SecureJoin.join(root, cwd), LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return false;
    }
  }
}
