package dev.dcont.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.opentest4j.TestAbortedException;

/** Another tool of the host (skopeo, podman) that a test checks dcont against, run with a deadline. */
final class HostTool {
  private HostTool() { }

  /** What a tool printed and returned. */
  record Result(List<String> command, int code, String out, String err) {
    Result ok() {
      if (code != 0) {
        throw new AssertionError("failed: " + this);
      }
      return this;
    }

    @Override
    public String toString() {
      return String.join(" ", command) + "\nexit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

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

  /** Runs {@code command} with no input, its output in files under {@code dir}. */
  static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    try {
      Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError("did not finish in 120 s: " + String.join(" ", command));
      }
      return new Result(command, p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
