package dev.dcont.clients;

import dev.dcont.testkit.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program run on a pseudo-terminal of its own (util-linux {@code script}), typed into and read like a user at a
 * terminal: what a client's {@code -it} needs to be tested as it is used.
 */
final class Terminal implements AutoCloseable {
  private final Process process;
  private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
  private final Thread reader;

  private Terminal(Process process) {
    this.process = process;
    this.reader = new Thread(this::read, "terminal-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code command} on a new terminal. */
  static Terminal start(List<String> command) throws IOException {
    String script = Host.require("script", "bsdutils").toString();
    return new Terminal(new ProcessBuilder(script, "-qec", Host.shellQuote(command), "/dev/null")
        .redirectErrorStream(true).start());
  }

  private void read() {
    byte[] buf = new byte[4096];
    try (InputStream in = process.getInputStream()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        synchronized (seen) {
          seen.write(buf, 0, n);
        }
      }
    } catch (IOException e) {
      // the terminal closed
    }
  }

  /** Everything the terminal showed so far. */
  String text() {
    synchronized (seen) {
      return seen.toString(StandardCharsets.UTF_8);
    }
  }

  /** Waits until the terminal shows {@code s}. */
  void await(String s, Duration timeout) throws Exception {
    if (!Poll.holdsWithin(timeout, () -> text().contains(s))) {
      throw new AssertionError("the terminal did not show " + s + " within " + timeout.toSeconds() + " s; it showed:\n"
          + text());
    }
  }

  /** Types {@code s}. */
  void type(String s) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write(s.getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** Waits for the program to end; its exit code. */
  int waitFor(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the terminal's program did not end within " + timeout.toSeconds() + " s; it showed:\n"
          + text());
    }
    reader.join(timeout.toMillis());
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor();
    }
  }

  /** For messages. */
  static String visible(String s) {
    return s.replace("\r", "\\r");
  }
}
