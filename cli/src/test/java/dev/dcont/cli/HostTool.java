package dev.dcont.cli;

import dev.dcont.testkit.HostCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import org.opentest4j.TestAbortedException;

/** Another tool of the host (skopeo, podman) that a test checks dcont against, run with a deadline. */
final class HostTool {
  private HostTool() { }

  /** {@code name} from /usr/bin; on CI (.ci/run installs it) its absence fails the test, elsewhere it skips. */
  static Path require(String name) {
    Path p = Path.of("/usr/bin", name);
    if (Files.isExecutable(p)) {
      return p;
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(name + " not found (CI=true: .ci/run installs it, so it must be there)");
    }
    throw new TestAbortedException("skipped: " + name + " not found: install the Debian package " + name);
  }

  /** Runs {@code command} with no input and two minutes to finish. */
  static HostCommand.Result run(Path dir, List<String> command) throws IOException, InterruptedException {
    return HostCommand.run(dir, Duration.ofSeconds(120), command);
  }
}
