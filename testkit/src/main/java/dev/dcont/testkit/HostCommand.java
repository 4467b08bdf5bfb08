package dev.dcont.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A program of the host (skopeo, podman, ctr, tar) that a test runs beside dcont, with a deadline. */
public final class HostCommand {
  private HostCommand() { }

  /** What a program printed and returned. */
  public record Result(List<String> command, int code, String out, String err) {
    /** This result, or an error that shows it all when the program failed. */
    public Result ok() {
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

  /**
   * Runs {@code command} with no input, its output in files under {@code dir}; fails when it outlives
   * {@code timeout}.
   */
  public static Result run(Path dir, Duration timeout, List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    try {
      Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError("did not finish in " + timeout.toSeconds() + " s: " + String.join(" ", command)
            + "\n--- stdout\n" + Files.readString(out) + "--- stderr\n" + Files.readString(err));
      }
      return new Result(List.copyOf(command), p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
